/*
 * rcu.c -- call_rcu and grace periods (see rcu.h).
 *
 * Pricing: call_rcu writes the rcu_head where the caller keeps it and the
 * CPU's struct rcu_data (one line on its node, with irqs off); starting a
 * grace period writes rcu_ctrlblk (cur, then the cpumask of the CPUs that
 * owe a quiescent state) under its lock ("rcu_ctrlblk.lock", the classic
 * RCU's global lock, on node 0); a CPU reporting its quiescent state
 * (cpu_quiet) takes that lock and clears its bit; the tick check reads
 * rcu_data; rcu_process_callbacks reads each rcu_head before calling the
 * callback, which prices its own work.  Deviations: classic RCU moves a
 * CPU's queued callbacks into a batch only in that CPU's own softirq, and
 * reports a quiescent state from the tick after the one that noticed the
 * grace period; the model puts every callback queued before a grace
 * period starts into it, and counts the first quiescent state after the
 * start, so its grace periods end up to a tick earlier.
 */
#include <string.h>
#include "kernel.h"
#include "native.h"

#define RCU_BLIMIT      10      /* callbacks a softirq run invokes (blimit) */
#define RCU_HEAD_SIZE   16      /* struct rcu_head: next, func */
#define RCU_DATA_SIZE   64      /* struct rcu_data: one line */
#define RCU_CTRL_SIZE   64      /* rcu_ctrlblk before its cpumask */

typedef struct rcu_cb {
	struct rcu_cb *next;
	saddr_t head;
	rcu_fn fn;
	rcu_kind_t kind;
	uint64_t bytes;
	uint64_t arg[];         /* the caller's argument, copied */
} rcu_cb_t;

typedef struct cblist {
	rcu_cb_t *head, **tail;
} cblist_t;

typedef struct rcu_cpu {
	cblist_t nxt;           /* queued, waiting for a grace period to start */
	cblist_t cur;           /* waiting for the grace period in progress */
	cblist_t done;          /* its grace period is over: to invoke */
	bool owes;              /* no quiescent state yet in this grace period */
	bool tick_armed, invoke_armed;
	saddr_t data;           /* struct rcu_data */
} rcu_cpu_t;

struct krcu {
	int ncpus;
	rcu_cpu_t *cpu;         /* [ncpus] */
	uint64_t cur, completed;        /* grace periods started, completed */
	uint64_t nxt_pending;   /* callbacks on nxt lists */
	int owing;              /* CPUs that owe a quiescent state */
	simtime_t gp_start, gp_end;
	spinlock_t lock;
	lock_class_t *cls;      /* on first use */
	saddr_t ctrl;           /* rcu_ctrlblk, then its cpumask */
	bool labelled;          /* the jitter report knows its work */
	rcu_stats_t st;
};

static void rcu_tick(void *arg);
static void rcu_process_callbacks(void *arg);

/* ---- callback lists ---- */

static void cb_init(cblist_t *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void cb_append(cblist_t *l, rcu_cb_t *cb)
{
	cb->next = NULL;
	*l->tail = cb;
	l->tail = &cb->next;
}

/* Move every callback of from to the tail of to. */
static void cb_splice(cblist_t *to, cblist_t *from)
{
	if (!from->head)
		return;
	*to->tail = from->head;
	to->tail = from->tail;
	cb_init(from);
}

static rcu_cb_t *cb_pop(cblist_t *l)
{
	rcu_cb_t *cb = l->head;

	if (cb && !(l->head = cb->next))
		l->tail = &l->head;
	return cb;
}

static void cb_drop(cblist_t *l)
{
	rcu_cb_t *cb;

	while ((cb = cb_pop(l)))
		g_free(cb);
}

/* ---- life cycle ---- */

/* rcu_data on every CPU's node, rcu_ctrlblk with room for a bit a CPU. */
static krcu_t *rcu_new(const machine_t *m, memory_t *mem)
{
	krcu_t *r = g_new0(krcu_t, 1);

	r->ncpus = m->ncpus;
	r->cpu = g_new0(rcu_cpu_t, m->ncpus);
	for (int c = 0; c < m->ncpus; c++) {
		cb_init(&r->cpu[c].nxt);
		cb_init(&r->cpu[c].cur);
		cb_init(&r->cpu[c].done);
		r->cpu[c].data = mem_meta_reserve(mem, m->cpu_node[c], RCU_DATA_SIZE, 64);
	}
	r->ctrl = mem_meta_reserve(mem, 0, RCU_CTRL_SIZE + ((uint64_t)m->ncpus + 7) / 8, 64);
	spin_init(&r->lock);
	return r;
}

/* The host side of r; waiting callbacks are dropped. */
static void rcu_free(void *arg)
{
	krcu_t *r = arg;

	for (int c = 0; c < r->ncpus; c++) {
		cb_drop(&r->cpu[c].nxt);
		cb_drop(&r->cpu[c].cur);
		cb_drop(&r->cpu[c].done);
	}
	spin_destroy(&r->lock);
	g_free(r->cpu);
	g_free(r);
}

/* The current kernel's RCU state, made on first use. */
static krcu_t *rcu_state(void)
{
	kernel_t *k = kern();

	if (!k->rcu) {
		k->rcu = rcu_new(k->m, k->mem);
		kernel_at_free(rcu_free, k->rcu);
	}
	return k->rcu;
}

/* ---- grace periods ---- */

static void ctrl_lock(krcu_t *r)
{
	if (!r->cls)
		r->cls = klock_class("rcu_ctrlblk.lock");
	spin_lock(&r->lock, r->cls, r->ctrl);
}

static void ctrl_unlock(krcu_t *r)
{
	spin_unlock(&r->lock, r->cls, r->ctrl);
}

static bool gp_in_progress(const krcu_t *r)
{
	return r->cur != r->completed;
}

/* The tick of `cpu`, at the next jiffy boundary, while it owes a
 * quiescent state or has a grace period to start. */
static void arm_tick(krcu_t *r, int cpu)
{
	if (r->cpu[cpu].tick_armed)
		return;
	r->cpu[cpu].tick_armed = true;
	schedule_delayed_work_on(cpu, jiffies_delay(1), rcu_tick, NULL);
}

/* rcu_process_callbacks on `cpu`, as soon as it can run softirq work. */
static void arm_invoke(krcu_t *r, int cpu)
{
	if (r->cpu[cpu].invoke_armed)
		return;
	r->cpu[cpu].invoke_armed = true;
	schedule_delayed_work_on(cpu, 0, rcu_process_callbacks, NULL);
}

/* rcu_start_batch (lock held): the queued callbacks wait for a new grace
 * period, which every CPU not idle now must see a quiescent state of. */
static void start_gp_locked(krcu_t *r)
{
	if (gp_in_progress(r) || !r->nxt_pending)
		return;
	ktouch(r->ctrl, RCU_CTRL_SIZE + (uint32_t)(r->ncpus + 7) / 8, true);
	r->cur++;
	r->gp_start = know();
	r->nxt_pending = 0;
	r->owing = 0;
	for (int c = 0; c < r->ncpus; c++) {
		rcu_cpu_t *rc = &r->cpu[c];

		cb_splice(&rc->cur, &rc->nxt);
		rc->owes = !kernel_in_idle(c);
		if (rc->owes) {
			r->owing++;
			arm_tick(r, c);
		}
	}
}

/* The grace period in progress is over (lock held): its callbacks go to
 * their CPUs' done lists, and a new one starts if callbacks wait. */
static void complete_gp_locked(krcu_t *r)
{
	simtime_t len;

	ktouch(r->ctrl, 16, true);
	r->completed = r->cur;
	r->gp_end = know();
	len = r->gp_end - r->gp_start;
	r->st.grace_periods++;
	r->st.gp_total += len;
	r->st.gp_longest = MAX(r->st.gp_longest, len);
	for (int c = 0; c < r->ncpus; c++) {
		if (!r->cpu[c].cur.head)
			continue;
		cb_splice(&r->cpu[c].done, &r->cpu[c].cur);
		arm_invoke(r, c);
	}
	start_gp_locked(r);
}

/* cpu_quiet: this CPU has passed a quiescent state. */
static void report_qs(krcu_t *r, int cpu)
{
	ctrl_lock(r);
	if (r->cpu[cpu].owes && gp_in_progress(r)) {
		r->cpu[cpu].owes = false;
		ktouch(r->ctrl + RCU_CTRL_SIZE + (saddr_t)(cpu / 8), 1, true);
		if (--r->owing == 0)
			complete_gp_locked(r);
	}
	ctrl_unlock(r);
}

/* ---- the CPU side ---- */

/* The scheduler tick's RCU work (rcu_check_callbacks, then the softirq):
 * with callbacks queued and no grace period running, start one; else a
 * tick the model runs finds the CPU in workload code or idle, a quiescent
 * state. */
static void rcu_tick(void *arg)
{
	krcu_t *r = rcu_state();
	int cpu = smp_processor_id();

	(void)arg;
	r->cpu[cpu].tick_armed = false;
	ktouch(r->cpu[cpu].data, RCU_DATA_SIZE, false);
	if (!gp_in_progress(r) && r->nxt_pending) {
		ctrl_lock(r);
		start_gp_locked(r);
		ctrl_unlock(r);
	} else if (r->cpu[cpu].owes) {
		report_qs(r, cpu);
	}
}

/* rcu_do_batch: up to blimit callbacks of this CPU's done list; more
 * later if some are left. */
static void rcu_process_callbacks(void *arg)
{
	krcu_t *r = rcu_state();
	int cpu = smp_processor_id();
	rcu_cpu_t *rc = &r->cpu[cpu];
	rcu_cb_t *cb;

	(void)arg;
	rc->invoke_armed = false;
	ktouch(rc->data, RCU_DATA_SIZE, true);
	for (int n = 0; n < RCU_BLIMIT && (cb = cb_pop(&rc->done)); n++) {
		ktouch(cb->head, RCU_HEAD_SIZE, false);
		cb->fn(cb->arg);
		r->st.invoked++;
		r->st.waiting[cb->kind]--;
		r->st.waiting_bytes[cb->kind] -= cb->bytes;
		g_free(cb);
	}
	if (rc->done.head)
		arm_invoke(r, cpu);
}

/* Count a queued callback in the figures. */
static void note_queued(krcu_t *r, rcu_kind_t kind, uint64_t bytes)
{
	r->st.queued++;
	r->st.waiting[kind]++;
	r->st.waiting_bytes[kind] += bytes;
	r->st.peak_waiting[kind] = MAX(r->st.peak_waiting[kind], r->st.waiting[kind]);
	r->st.peak_waiting_bytes[kind] = MAX(r->st.peak_waiting_bytes[kind], r->st.waiting_bytes[kind]);
}

/* call_rcu: queue on this CPU; if no grace period runs, its next tick
 * starts one. */
void call_rcu(saddr_t head, rcu_fn fn, const void *arg, size_t arg_size, rcu_kind_t kind,
              uint64_t bytes)
{
	krcu_t *r;
	rcu_cpu_t *rc;
	rcu_cb_t *cb;
	unsigned long flags;

	if (knative()) {
		native_call_rcu(head, fn, arg, arg_size, kind, bytes);
		return;
	}
	r = rcu_state();
	rc = &r->cpu[smp_processor_id()];
	cb = g_malloc(sizeof(*cb) + arg_size);
	if (!r->labelled) {
		kwork_label(rcu_tick, "rcu_check_callbacks");
		kwork_label(rcu_process_callbacks, "rcu_process_callbacks");
		r->labelled = true;
	}
	*cb = (rcu_cb_t){ .head = head, .fn = fn, .kind = kind, .bytes = bytes };
	memcpy(cb->arg, arg, arg_size);
	local_irq_save(&flags);
	ktouch(head, RCU_HEAD_SIZE, true);
	ktouch(rc->data, RCU_DATA_SIZE, true);
	cb_append(&rc->nxt, cb);
	r->nxt_pending++;
	note_queued(r, kind, bytes);
	local_irq_restore(flags);
	if (!gp_in_progress(r))
		arm_tick(r, smp_processor_id());
}

/* A task switch or a blocking task on this CPU (a synchronisation point:
 * the grace-period state, even whether RCU is in use, is read as of this
 * CPU's time). */
void rcu_note_context_switch(void)
{
	krcu_t *r;
	int cpu = smp_processor_id();

	if (knative()) {
		native_rcu_qs();
		return;
	}
	engine_sync();
	r = kern()->rcu;
	if (r && r->cpu[cpu].owes)
		report_qs(r, cpu);
}

/* Report a quiescent state owed (a synchronisation point). */
bool rcu_idle_enter(void)
{
	krcu_t *r = kern()->rcu;
	int cpu = smp_processor_id();

	if (knative()) {
		native_rcu_qs();
		return false;
	}
	if (!r || !r->cpu[cpu].owes)
		return false;
	report_qs(r, cpu);
	return true;
}

/* ---- free of charge ---- */

/* The figures so far. */
const rcu_stats_t *rcu_stats_of(const krcu_t *r)
{
	static const rcu_stats_t none;

	return r ? &r->st : &none;
}

/* The figures of the current kernel's RCU. */
const rcu_stats_t *rcu_stats(void)
{
	return rcu_stats_of(rcu_state());
}

/* Grace periods started so far. */
uint64_t rcu_gp_started(void)
{
	return rcu_state()->cur;
}

/* Grace periods completed so far. */
uint64_t rcu_gp_completed(void)
{
	return rcu_state()->completed;
}

/* When the latest grace period started. */
simtime_t rcu_gp_start_time(void)
{
	return rcu_state()->gp_start;
}

/* When the latest completed grace period ended. */
simtime_t rcu_gp_end_time(void)
{
	return rcu_state()->gp_end;
}
