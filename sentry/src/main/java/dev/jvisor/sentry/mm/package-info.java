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
 *       calling thread's own stub thread there. A fork's copy is mapped by the child's thread, the one that
 *       created the new address space.</li>
 *   <li>{@link dev.jvisor.sentry.mm.Vma} is immutable; the VMA tree maps start addresses to VMAs, never
 *       overlapping.</li>
 * </ul>
 *
 * <h2>Memory-file ownership</h2>
 * Each allocated memory-file page backs exactly one VMA page of one manager, except pages of MAP_SHARED VMAs
 * inherited across fork: {@link dev.jvisor.sentry.mm.SharedPages} counts their extra owners, and a page is freed
 * by its last owner. munmap and MAP_FIXED replacement drop the pages they cover; mremap moves pages without
 * copying by handing their range to the new VMA. Fork copies private VMAs eagerly (only the pages that exist)
 * and shares the shared ones. Tasks sharing one manager (CLONE_VM) count as its users; the last to leave frees
 * everything and releases the address space.
 */
package dev.jvisor.sentry.mm;
