/*
 * native_rcu.c -- call_rcu on host threads (see native.h): quiescent-state
 * based reclamation.
 *
 * call_rcu takes the next number of a global sequence as its callback's
 * target and queues the callback on its CPU.  Each CPU publishes, at every
 * quiescent state, the sequence number it has seen (`seen`, on its own
 * lines).  A callback runs on its CPU once every CPU's `seen` reaches its
 * target: each has then passed a quiescent state after the callback was
 * queued, which is a grace period.  A CPU no thread serves any more has
 * `seen` at its maximum.  Only the CPU's own thread touches its callback
 * list and figures.
 */
#include "native_int.h"

void native_rcu_init(kernel_t *k)
{
	for (int c = 0; c < k->native->ncpus; c++) {
		ncpu_t *nc = ncpu_of(k->native, c);

		nc->cb_tail = &nc->cb_head;
	}
}

/* Callbacks still waiting are dropped, never run (as rcu.c's). */
void native_rcu_free(kernel_t *k)
{
	for (int c = 0; c < k->native->ncpus; c++) {
		ncpu_t *nc = ncpu_of(k->native, c);

		while (nc->cb_head) {
			nrcb_t *cb = nc->cb_head;
			nc->cb_head = cb->next;
			g_free(cb);
		}
	}
}

void native_call_rcu(saddr_t head, rcu_fn fn, const void *arg, size_t arg_size,
                     rcu_kind_t kind, uint64_t bytes)
{
	ncpu_t *nc = ncpu(smp_processor_id());
	nrcb_t *cb = g_malloc(sizeof(*cb) + arg_size);
	rcu_stats_t *st = &nc->rcu;

	(void)head;
	*cb = (nrcb_t){ .fn = fn, .kind = kind, .bytes = bytes,
	                .target = __atomic_add_fetch(&kern()->native->rcu_seq, 1, __ATOMIC_ACQ_REL) };
	memcpy(cb->arg, arg, arg_size);
	*nc->cb_tail = cb;
	nc->cb_tail = &cb->next;
	st->queued++;
	st->waiting[kind]++;
	st->waiting_bytes[kind] += bytes;
	st->peak_waiting[kind] = MAX(st->peak_waiting[kind], st->waiting[kind]);
	st->peak_waiting_bytes[kind] = MAX(st->peak_waiting_bytes[kind], st->waiting_bytes[kind]);
}

void native_rcu_qs(void)
{
	ncpu_t *nc = ncpu(smp_processor_id());
	uint64_t seq = __atomic_load_n(&kern()->native->rcu_seq, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&nc->seen, __ATOMIC_RELAXED) != seq)
		__atomic_store_n(&nc->seen, seq, __ATOMIC_RELEASE);
}

void native_rcu_offline(void)
{
	__atomic_store_n(&ncpu(smp_processor_id())->seen, UINT64_MAX, __ATOMIC_RELEASE);
}

/* The sequence number every CPU has seen. */
static uint64_t all_seen(void)
{
	uint64_t least = UINT64_MAX;

	for (int c = 0; c < kern()->native->ncpus; c++)
		least = MIN(least, __atomic_load_n(&ncpu(c)->seen, __ATOMIC_ACQUIRE));
	return least;
}

void native_rcu_process(void)
{
	ncpu_t *nc = ncpu(smp_processor_id());
	uint64_t done;

	if (!nc->cb_head)
		return;
	done = all_seen();
	while (nc->cb_head && nc->cb_head->target <= done) {
		nrcb_t *cb = nc->cb_head;

		if (!(nc->cb_head = cb->next))
			nc->cb_tail = &nc->cb_head;
		cb->fn(cb->arg);
		nc->rcu.invoked++;
		nc->rcu.waiting[cb->kind]--;
		nc->rcu.waiting_bytes[cb->kind] -= cb->bytes;
		g_free(cb);
	}
}

/* Read after every thread has stopped, or by the CPU's own thread. */
uint64_t native_rcu_waiting(void)
{
	uint64_t n = 0;

	for (int c = 0; c < kern()->native->ncpus; c++)
		for (int k = 0; k < RCU_KINDS; k++)
			n += ncpu(c)->rcu.waiting[k];
	return n;
}

uint64_t native_rcu_waiting_here(void)
{
	const ncpu_t *nc = ncpu(smp_processor_id());
	uint64_t n = 0;

	for (int k = 0; k < RCU_KINDS; k++)
		n += nc->rcu.waiting[k];
	return n;
}

void native_rcu_stats(rcu_stats_t *out)
{
	*out = (rcu_stats_t){ 0 };
	for (int c = 0; c < kern()->native->ncpus; c++) {
		const rcu_stats_t *st = &ncpu(c)->rcu;

		out->queued += st->queued;
		out->invoked += st->invoked;
		for (int k = 0; k < RCU_KINDS; k++) {
			out->waiting[k] += st->waiting[k];
			out->waiting_bytes[k] += st->waiting_bytes[k];
			out->peak_waiting[k] += st->peak_waiting[k];
			out->peak_waiting_bytes[k] += st->peak_waiting_bytes[k];
		}
	}
}
