/**
 * Workload memory: the {@link dev.jvisor.sentry.mm.MemoryFile} (one memfd holding every workload page, mapped whole
 * into the sentry) and one {@link dev.jvisor.sentry.mm.MemoryManager} per address space (its VMAs, brk, and copies
 * that honour the workload's protections).
 *
 * <h2>Ownership and locking</h2>
 * <ul>
 *   <li>The task thread calls its {@code MemoryManager}; other threads of the same process (later: CLONE_VM) and
 *       the kernel (/proc readers, ptrace-style peeks) may too. Every method takes the manager's own lock, so
 *       calls from any thread are safe; none of them blocks while holding it except on the memory file's
 *       allocator lock and on platform calls ({@code AddressSpace.map/unmap/protect}).</li>
 *   <li>Lock order: {@code MemoryManager} lock, then {@code MemoryFile} (its allocator monitor). Nothing in the
 *       memory file calls back into a manager.</li>
 *   <li>{@link dev.jvisor.sentry.mm.MemoryManager#io} runs its callback without the manager lock (it may block on
 *       a pipe); memory unmapped meanwhile is freed only after the last running callback returns, so a callback
 *       never writes into memory the allocator handed to someone else.</li>
 *   <li>{@code AddressSpace} methods are called with the manager lock held, by whichever task thread of the
 *       address space makes the change (with CLONE_VM, several): the ptrace platform runs each request in the
 *       calling thread's own stub thread there. Fork is two steps for that reason: {@code forkBegin} runs on the
 *       parent's thread (it write-protects the parent's copy-on-write pages), {@code Fork.finish} on the child's
 *       thread, the one that created the new address space and maps the child's VMAs into it. A sentry write
 *       that breaks copy-on-write remaps pages from the writing thread, normally a task thread of the address
 *       space (the platform gives any other thread a stub thread of its own).</li>
 *   <li>Lock order with fork: the parent's manager lock, then {@link dev.jvisor.sentry.mm.SharedPages}, then the
 *       memory file's; the child's manager lock is taken alone, after the parent's is released. No code holds two
 *       managers' locks.</li>
 *   <li>{@code protectionGeneration} is written under the lock and read by task threads without it: a counter
 *       compared between two faults, so a stale read only costs one more retry.</li>
 *   <li>{@link dev.jvisor.sentry.mm.Vma} is immutable; the VMA tree maps start addresses to VMAs, never
 *       overlapping.</li>
 * </ul>
 *
 * <h2>Memory-file ownership</h2>
 * Each allocated memory-file page backs exactly one VMA page of one manager, except pages inherited across fork,
 * of MAP_SHARED VMAs and of copy-on-write private VMAs: {@link dev.jvisor.sentry.mm.SharedPages} counts their
 * extra owners, and a page is freed by its last owner. munmap, MAP_FIXED replacement, MADV_DONTNEED of
 * copy-on-write memory and a copy-on-write break drop this manager's reference to the pages they cover; mremap
 * moves pages without copying by handing their range to the new VMA. Fork shares private VMAs copy-on-write
 * (or, with {@code jvisor.mm.eagerFork}, copies the pages that exist) and shares the shared ones. A private
 * VMA marked {@code cow} may hold pages another manager also holds: nothing writes them (the host maps them
 * without PROT_WRITE, sentry writes break the sharing first) until this manager holds them alone. Tasks sharing
 * one manager (CLONE_VM) count as its users; the last to leave frees everything and releases the address
 * space.
 */
package dev.jvisor.sentry.mm;
