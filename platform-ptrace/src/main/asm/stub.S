.intel_syntax noprefix
# The stub page, at a fixed address in every stub.
syscall_gadget:           # offset 0: injected syscall
  syscall
  int3
.balign 8
clone_gadget:             # offset 8: injected clone; the child stops itself
  syscall
  test rax, rax
  jz 1f
  int3                    # parent (the template): back to its tracer
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
  mov eax, 39             # kill(getpid(), SIGSTOP), until a tracer takes over
  syscall
  mov edi, eax
  mov esi, 19
  mov eax, 62
  syscall
  jmp 2b
3:
  mov eax, 231            # exit_group(1)
  mov edi, 1
  syscall
  ud2
.balign 8
ppid:
  .long 0
