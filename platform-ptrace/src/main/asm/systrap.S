.intel_syntax noprefix
# Systrap part of the stub page, at STUB_ADDR + 0x400. Slot (control block) layout: see SystrapCode.java.
handler:                      # rdi = signo, rsi = siginfo, rdx = ucontext; runs on the slot's alternate stack
  mov rbx, rsp
  and rbx, -65536             # the slot: 64 KiB aligned, the stack inside it
  mov r12, rdx
  mov dword ptr [rbx+0x80], edi
  mov qword ptr [rbx+0x88], rsi
  mov qword ptr [rbx+0x90], rdx
  rdfsbase rax
  mov qword ptr [rbx+0x98], rax
  rdgsbase rax
  mov qword ptr [rbx+0xa0], rax
publish:                      # stubSeq + 1 (never 0: 0 means the thread is gone), then wake a sleeping sentry
  mov eax, dword ptr [rbx]
  inc eax
  jnz 1f
  inc eax
1:
  mov r13d, eax
  xchg dword ptr [rbx], eax   # a store with a full barrier (Dekker with sentrySleeping)
  cmp dword ptr [rbx+4], 0
  je wait
  mov rdi, rbx
  mov esi, 1                  # FUTEX_WAKE (shared: the sentry is another process)
  mov edx, 1
  mov eax, 202
  call do_syscall
wait:                         # until sentrySeq == stubSeq: spin [slot+0x48] polls, then futex
  mov ecx, dword ptr [rbx+0x48]
2:
  cmp dword ptr [rbx+0x40], r13d
  je got
  test ecx, ecx
  jz sleep
  pause
  dec ecx
  jmp 2b
sleep:
  mov eax, 1
  xchg dword ptr [rbx+0x44], eax
  mov edx, dword ptr [rbx+0x40]
  cmp edx, r13d
  je woke
  lea rdi, [rbx+0x40]
  xor esi, esi                # FUTEX_WAIT, no timeout
  xor r10d, r10d
  mov eax, 202
  call do_syscall
  mov dword ptr [rbx+0x44], 0
  xor ecx, ecx
  jmp 2b
woke:
  mov dword ptr [rbx+0x44], 0
got:
  cmp dword ptr [rbx+0xc0], 1
  jne resume
  mov rax, qword ptr [rbx+0xc8]   # a syscall the sentry asks for (mmap, munmap, mprotect, exit)
  mov rdi, qword ptr [rbx+0xd0]
  mov rsi, qword ptr [rbx+0xd8]
  mov rdx, qword ptr [rbx+0xe0]
  mov r10, qword ptr [rbx+0xe8]
  mov r8, qword ptr [rbx+0xf0]
  mov r9, qword ptr [rbx+0xf8]
  call do_syscall
  mov qword ptr [rbx+0x100], rax
  jmp publish
resume:
  mov rax, qword ptr [rbx+0x98]
  wrfsbase rax
  mov rax, qword ptr [rbx+0xa0]
  wrgsbase rax
  mov rsp, r12                # rt_sigreturn finds the frame at rsp
  mov eax, 15
do_syscall:                   # the one syscall instruction the runtime filter allows
  syscall
  ret
.balign 8
boot_trap:                    # a new stub thread's first instruction: its first event makes a signal frame
  int3
  ud2
