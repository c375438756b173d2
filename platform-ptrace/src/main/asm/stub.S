.intel_syntax noprefix
# The stub page, at a fixed address in every stub.
syscall_gadget:           # +0x00: injected syscall
  syscall
  int3
.balign 8
clone_gadget:             # +0x08: injected clone of a new stub process
  syscall
  test rax, rax
  jz 1f
  int3                    # parent: back to its tracer
1:
  mov eax, 157            # prctl(PR_SET_PDEATHSIG, SIGKILL)
  mov edi, 1
  mov esi, 9
  syscall
  mov eax, 110            # getppid(): if the sentry already died, leave
  syscall
  cmp eax, dword ptr [rip + ppid]
  jne 3f
2:
  mov eax, 34             # pause() until a tracer seizes and interrupts it
  syscall
  jmp 2b
3:
  mov eax, 231            # exit_group(1)
  mov edi, 1
  syscall
  ud2
.balign 8
thread_gadget:            # injected clone of a new thread in the stub
  syscall
  test rax, rax
  jz 2b
  int3
.balign 8
ppid:
  .long 0
