-- cacheset.lua: a set of named kernel caches read from a /proc/slabinfo
-- (version 2.1) file, for workloads that recreate a kernel's cache list.
--
--   local cacheset = require("cacheset")
--   local set = cacheset.load(sim, p.slabinfo, { order = "boot", flags = "table" })
--   local caches = cacheset.create(sim, set)     -- in setup()
--
-- What it decides, since slabinfo does not say:
--  * Which rows are the allocator's own: the kmalloc classes (size-N,
--    size-N(DMA), kmalloc-N, dma-kmalloc-N, kmalloc-rcl-N, kmalloc-cg-N ...)
--    and the caches of caches (kmem_cache, kmem_cache_node).  The simulated
--    allocator makes its own; they are skipped (cacheset.allocator_owned).
--  * Creation flags: slabinfo has none.  FLAGS below gives the flags that
--    the 2.6.29 kmem_cache_create() calls pass for the caches of the shipped
--    data file (SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT,
--    SLAB_DESTROY_BY_RCU), recalled from the 2.6.29 sources and not checked
--    line by line (M); SLAB_PANIC and SLAB_MEM_SPREAD are left out, since
--    they change nothing the simulator models.  A name not in the table
--    gets no flags.  flags = "none" drops them all, "hwalign" gives every
--    cache HWCACHE_ALIGN.
--  * Constructors: slabinfo has none either.  CTORS below names, for the
--    caches of the shipped data file that had one in 2.6.29, the file and
--    the function kmem_cache_create was given (recalled from the 2.6.29
--    sources, M; xfs_inode's checked in the code index).  The simulated
--    constructor has no compute of its own (its cost is its stores) and
--    writes `bytes` from the object's start, the whole object when not
--    given (inode_init_once and radix_tree_node_ctor clear the whole
--    struct).  ctors = "none" drops them.
--  * Object size: the objsize column is the slot (SLAB's buffer_size, SLUB's
--    s->size): the object with its alignment and, in allocators that chain
--    free objects through a pointer (every one without per-cache
--    tunables: SLUB, SLQB), the free pointer word they put after the
--    object of a DESTROY_BY_RCU cache or one with a constructor.  So the
--    size asked for is the slot, less that word for such a cache when the
--    file has no tunables (the simulated SLUB then adds it back: same
--    slot); SLAB's slots hold no pointer.  An aligned cache keeps its size
--    either way.
--  * Rows larger than sim.max_cache_size (the run's allocator's largest
--    cache: PAGE_SIZE << (MAX_ORDER - 1), SLAB's KMALLOC_MAX_SIZE) cannot
--    be created: they are counted (too_big) and named in one warning on
--    stderr, never dropped silently.  Repeated names are counted too.
--  * Machine: the geometry a file shows is its source machine's (CPU
--    count, page size); run on a machine with the same CPU count and page
--    size to compare (tests/test_slabinfo_geometry.c does, for a 2-CPU
--    6.18 kernel).
--  * Sheaves: the caches that have per-CPU sheaves in Linux 6.18 ask for
--    them (SHEAVES below; allocators without sheaves ignore it);
--    sheaves = "none" asks for none.
--  * Order: /proc/slabinfo lists the newest cache first (both SLAB's
--    cache_chain and later slab_caches add at the head), so order = "boot"
--    (the default) creates them bottom up, in the kernel's creation order;
--    order = "file" keeps the file's order.

local M = {}

-- Creation flags of the caches of workloads/data/cacheset-2.6.29.slabinfo
-- (2.6.29 kmem_cache_create calls, M).  Look names up; never iterate it.
M.FLAGS = {
	["radix_tree_node"] = "RECLAIM_ACCOUNT",
	["uid_cache"] = "HWCACHE_ALIGN",
	["cred_jar"] = "HWCACHE_ALIGN",
	["sighand_cache"] = "HWCACHE_ALIGN|DESTROY_BY_RCU",
	["signal_cache"] = "HWCACHE_ALIGN",
	["files_cache"] = "HWCACHE_ALIGN",
	["fs_cache"] = "HWCACHE_ALIGN",
	["mm_struct"] = "HWCACHE_ALIGN",
	["anon_vma"] = "DESTROY_BY_RCU",
	["pid"] = "HWCACHE_ALIGN",
	["key_jar"] = "HWCACHE_ALIGN",
	["buffer_head"] = "RECLAIM_ACCOUNT",
	["mnt_cache"] = "HWCACHE_ALIGN",
	["filp"] = "HWCACHE_ALIGN",
	["names_cache"] = "HWCACHE_ALIGN",
	["dentry"] = "RECLAIM_ACCOUNT",
	["inode_cache"] = "RECLAIM_ACCOUNT",
	["bdev_cache"] = "HWCACHE_ALIGN|RECLAIM_ACCOUNT",
	["proc_inode_cache"] = "RECLAIM_ACCOUNT",
	["sock_inode_cache"] = "HWCACHE_ALIGN|RECLAIM_ACCOUNT",
	["mqueue_inode_cache"] = "HWCACHE_ALIGN",
	["eventpoll_epi"] = "HWCACHE_ALIGN",
	["kioctx"] = "HWCACHE_ALIGN",
	["kiocb"] = "HWCACHE_ALIGN",
	["dquot"] = "HWCACHE_ALIGN|RECLAIM_ACCOUNT",
	["ext3_inode_cache"] = "RECLAIM_ACCOUNT",
	["ext3_xattr"] = "RECLAIM_ACCOUNT",
	["journal_handle"] = "RECLAIM_ACCOUNT",
	["journal_head"] = "RECLAIM_ACCOUNT",
	["revoke_record"] = "HWCACHE_ALIGN",
	["ext2_inode_cache"] = "RECLAIM_ACCOUNT",
	["ext2_xattr"] = "RECLAIM_ACCOUNT",
	["ext4_inode_cache"] = "RECLAIM_ACCOUNT",
	["ext4_xattr"] = "RECLAIM_ACCOUNT",
	["jbd2_journal_handle"] = "RECLAIM_ACCOUNT",
	["jbd2_journal_head"] = "RECLAIM_ACCOUNT",
	["jbd2_revoke_record"] = "HWCACHE_ALIGN",
	["fat_cache"] = "RECLAIM_ACCOUNT",
	["fat_inode_cache"] = "RECLAIM_ACCOUNT",
	["isofs_inode_cache"] = "RECLAIM_ACCOUNT",
	["udf_inode_cache"] = "RECLAIM_ACCOUNT",
	["squashfs_inode_cache"] = "HWCACHE_ALIGN|RECLAIM_ACCOUNT",
	["bio-0"] = "HWCACHE_ALIGN",
	["biovec-1"] = "HWCACHE_ALIGN",
	["biovec-4"] = "HWCACHE_ALIGN",
	["biovec-16"] = "HWCACHE_ALIGN",
	["biovec-64"] = "HWCACHE_ALIGN",
	["biovec-128"] = "HWCACHE_ALIGN",
	["biovec-256"] = "HWCACHE_ALIGN",
	["sgpool-8"] = "HWCACHE_ALIGN",
	["sgpool-16"] = "HWCACHE_ALIGN",
	["sgpool-32"] = "HWCACHE_ALIGN",
	["sgpool-64"] = "HWCACHE_ALIGN",
	["sgpool-128"] = "HWCACHE_ALIGN",
	["scsi_cmd_cache"] = "HWCACHE_ALIGN",
	["scsi_sense_cache"] = "HWCACHE_ALIGN",
	["skbuff_head_cache"] = "HWCACHE_ALIGN",
	["skbuff_fclone_cache"] = "HWCACHE_ALIGN",
	["flow_cache"] = "HWCACHE_ALIGN",
	["secpath_cache"] = "HWCACHE_ALIGN",
	["xfrm_dst_cache"] = "HWCACHE_ALIGN",
	["ip_dst_cache"] = "HWCACHE_ALIGN",
	["arp_cache"] = "HWCACHE_ALIGN",
	["inet_peer_cache"] = "HWCACHE_ALIGN",
	["tcp_bind_bucket"] = "HWCACHE_ALIGN",
	["request_sock_TCP"] = "HWCACHE_ALIGN",
	["tw_sock_TCP"] = "HWCACHE_ALIGN",
	["TCP"] = "HWCACHE_ALIGN",
	["UDP"] = "HWCACHE_ALIGN",
	["UDP-Lite"] = "HWCACHE_ALIGN",
	["RAW"] = "HWCACHE_ALIGN",
	["UNIX"] = "HWCACHE_ALIGN",
	["ip_mrt_cache"] = "HWCACHE_ALIGN",
	["bridge_fdb_cache"] = "HWCACHE_ALIGN",
	["fib6_nodes"] = "HWCACHE_ALIGN",
	["ip6_dst_cache"] = "HWCACHE_ALIGN",
	["ndisc_cache"] = "HWCACHE_ALIGN",
	["request_sock_TCPv6"] = "HWCACHE_ALIGN",
	["tw_sock_TCPv6"] = "HWCACHE_ALIGN",
	["TCPv6"] = "HWCACHE_ALIGN",
	["UDPv6"] = "HWCACHE_ALIGN",
	["UDPLITEv6"] = "HWCACHE_ALIGN",
	["RAWv6"] = "HWCACHE_ALIGN",
	["ip_vs_conn"] = "HWCACHE_ALIGN",
	["rpc_buffers"] = "HWCACHE_ALIGN",
	["rpc_tasks"] = "HWCACHE_ALIGN",
	["rpc_inode_cache"] = "HWCACHE_ALIGN|RECLAIM_ACCOUNT",
	["nfs_inode_cache"] = "RECLAIM_ACCOUNT",
	["nfs_page"] = "HWCACHE_ALIGN",
	["xfs_inode"] = "HWCACHE_ALIGN|RECLAIM_ACCOUNT",
}

-- Sheaf capacity of the caches created with one in Linux 6.18:
-- maple_node (lib/maple_tree.c, maple_tree_init) and vm_area_struct
-- (mm/vma_init.c, vma_state_init), both 32 (shared/reference/
-- slub-modern.md, 0 and 2.5).  Look names up; never iterate it.
M.SHEAVES = { maple_node = 32, vm_area_struct = 32 }

-- Caches of workloads/data/cacheset-2.6.29.slabinfo created with a
-- constructor in 2.6.29: where (file: function, the constructor) and the
-- bytes it writes if not the whole object.  Look names up; never iterate.
M.CTORS = {
	["radix_tree_node"] = { src = "lib/radix-tree.c: radix_tree_init, radix_tree_node_ctor" },
	["sighand_cache"] = { src = "kernel/fork.c: proc_caches_init, sighand_ctor", bytes = 32 },
	["anon_vma"] = { src = "mm/rmap.c: anon_vma_init, anon_vma_ctor", bytes = 24 },
	["inode_cache"] = { src = "fs/inode.c: inode_init, init_once" },
	["proc_inode_cache"] = { src = "fs/proc/inode.c: proc_init_inodecache, init_once" },
	["sock_inode_cache"] = { src = "net/socket.c: init_inodecache, init_once" },
	["mqueue_inode_cache"] = { src = "ipc/mqueue.c: init_mqueue_fs, init_once" },
	["shmem_inode_cache"] = { src = "mm/shmem.c: init_inodecache, init_once" },
	["hugetlbfs_inode_cache"] = { src = "fs/hugetlbfs/inode.c: init_hugetlbfs_fs, init_once" },
	["bdev_cache"] = { src = "fs/block_dev.c: bdev_cache_init, init_once" },
	["file_lock_cache"] = { src = "fs/locks.c: filelock_init, init_once" },
	["ext2_inode_cache"] = { src = "fs/ext2/super.c: init_inodecache, init_once" },
	["ext3_inode_cache"] = { src = "fs/ext3/super.c: init_inodecache, init_once" },
	["ext4_inode_cache"] = { src = "fs/ext4/super.c: init_inodecache, init_once" },
	["fat_cache"] = { src = "fs/fat/cache.c: fat_cache_init, init_once", bytes = 16 },
	["fat_inode_cache"] = { src = "fs/fat/inode.c: fat_init_inodecache, init_once" },
	["isofs_inode_cache"] = { src = "fs/isofs/inode.c: init_inodecache, init_once" },
	["udf_inode_cache"] = { src = "fs/udf/super.c: init_inodecache, init_once" },
	["squashfs_inode_cache"] = { src = "fs/squashfs/super.c: init_inodecache, init_once" },
	["fuse_inode"] = { src = "fs/fuse/inode.c: fuse_fs_init, fuse_inode_init_once" },
	["nfs_inode_cache"] = { src = "fs/nfs/inode.c: nfs_init_inodecache, init_once" },
	["rpc_inode_cache"] = { src = "net/sunrpc/rpc_pipe.c: register_rpc_pipefs, init_once" },
	["xfs_inode"] = { src = "fs/xfs/linux-2.6/xfs_super.c: xfs_init_zones, xfs_fs_inode_init_once" },
}

local OWNED_PREFIXES = { "size-", "kmalloc-", "dma-kmalloc-" }

-- Whether a slabinfo name is one of the allocator's own caches.
function M.allocator_owned(name)
	if name == "kmem_cache" or name == "kmem_cache_node" then
		return true
	end
	for _, p in ipairs(OWNED_PREFIXES) do
		if name:sub(1, #p) == p then
			return true
		end
	end
	return false
end

-- The sim.cache ctor of a cache: nil, or its constructor's bytes.
local function cache_ctor(name, mode, size)
	local c = mode ~= "none" and M.CTORS[name] or nil
	if not c then
		return nil
	end
	return { bytes = math.min(c.bytes or size, size) }
end

local function cache_flags(name, mode)
	if mode == "none" then
		return nil
	elseif mode == "hwalign" then
		return "HWCACHE_ALIGN"
	end
	return M.FLAGS[name]
end

-- Whether a cache of a file without tunables has the free pointer after
-- the object, inside the slot the file shows: DESTROY_BY_RCU, or a
-- constructor.
local function pointer_in_slot(flags, has_ctor)
	return has_ctor or (flags ~= nil and flags:find("DESTROY_BY_RCU", 1, true) ~= nil)
end

-- Whether every row has a zero tunables limit: a file of an allocator that
-- keeps free pointers in its objects (SLUB, SLQB), not SLAB's.
local function no_tunables(rows)
	for _, r in ipairs(rows) do
		if r.limit > 0 then return false end
	end
	return true
end

-- Warn once, on stderr, about the rows the allocator cannot take.
local function warn_too_big(sim, set)
	if set.too_big > 0 then
		print(string.format("cacheset: %d rows larger than %s's largest cache "
		                    .. "(sim.max_cache_size %d bytes) not created: %s",
		                    set.too_big, sim.allocator, sim.max_cache_size,
		                    table.concat(set.too_big_names, ", ")))
	end
end

-- Read a slabinfo file (a file parameter's handle, see sim.slabinfo) and
-- return the set to create:
--   { caches = { {name=, size=, slot=, flags=, ctor=, sheaf_capacity=, active_objs=,
--                 num_objs=, objperslab=, pagesperslab=}, ... },
--     rows = rows read, owned = allocator-owned rows skipped,
--     too_big = rows larger than sim.max_cache_size not created (their
--     names in too_big_names), repeated = names seen twice }
-- opts.order: "boot" (default) or "file"; opts.flags: "table" (default),
-- "none" or "hwalign"; opts.ctors: "table" (default) or "none";
-- opts.sheaves: "table" (default) or "none".  Each cache's
-- sheaf_capacity is its SHEAVES entry, or nil.
function M.load(sim, file, opts)
	opts = opts or {}
	local order, mode = opts.order or "boot", opts.flags or "table"
	local sheaves = opts.sheaves or "table"
	if order ~= "boot" and order ~= "file" then
		error("order must be 'boot' or 'file', got '" .. tostring(order) .. "'", 2)
	end
	if mode ~= "table" and mode ~= "none" and mode ~= "hwalign" then
		error("flags must be 'table', 'none' or 'hwalign', got '" .. tostring(mode) .. "'", 2)
	end
	if sheaves ~= "table" and sheaves ~= "none" then
		error("sheaves must be 'table' or 'none', got '" .. tostring(sheaves) .. "'", 2)
	end
	local ctors = opts.ctors or "table"
	if ctors ~= "table" and ctors ~= "none" then
		error("ctors must be 'table' or 'none', got '" .. tostring(ctors) .. "'", 2)
	end
	local rows = sim.slabinfo(file)
	local set = { caches = {}, rows = #rows, owned = 0, too_big = 0, too_big_names = {},
	              repeated = 0 }
	local seen, freeptr = {}, no_tunables(rows)
	local first, last, step = 1, #rows, 1
	if order == "boot" then
		first, last, step = #rows, 1, -1
	end
	for i = first, last, step do
		local r = rows[i]
		if M.allocator_owned(r.name) then
			set.owned = set.owned + 1
		elseif r.objsize > sim.max_cache_size then
			set.too_big = set.too_big + 1
			set.too_big_names[#set.too_big_names + 1] = r.name
		elseif seen[r.name] then
			set.repeated = set.repeated + 1
		else
			local flags = cache_flags(r.name, mode)
			local size = r.objsize
			if freeptr and size > 8 and pointer_in_slot(flags, cache_ctor(r.name, ctors, size)) then
				size = size - 8
			end
			seen[r.name] = true
			set.caches[#set.caches + 1] = {
				name = r.name, size = size, slot = r.objsize, flags = flags,
				ctor = cache_ctor(r.name, ctors, size),
				sheaf_capacity = sheaves == "table" and M.SHEAVES[r.name] or nil,
				active_objs = r.active_objs, num_objs = r.num_objs,
				objperslab = r.objperslab, pagesperslab = r.pagesperslab,
			}
		end
	end
	warn_too_big(sim, set)
	return set
end

-- Create every cache of a set (setup time only); returns the cache objects
-- in the same order as set.caches.
function M.create(sim, set)
	local caches = {}
	for i, c in ipairs(set.caches) do
		caches[i] = sim.cache{ name = c.name, size = c.size, flags = c.flags, ctor = c.ctor,
		                       sheaf_capacity = c.sheaf_capacity }
	end
	return caches
end

return M
