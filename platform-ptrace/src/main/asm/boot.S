.intel_syntax noprefix
# Runs in the child of glibc clone() of the JVM (fn argument).
boot:
  mov eax, 157            # prctl(PR_SET_PDEATHSIG, SIGKILL)
  mov edi, 1
  mov esi, 9
  syscall
  mov eax, 110            # getppid(): if the sentry already died, leave
  syscall
  cmp eax, dword ptr [rip + ppid]
  jne 2f
  mov eax, 101            # ptrace(PTRACE_TRACEME, 0, 0, 0)
  xor edi, edi
  xor esi, esi
  xor edx, edx
  xor r10d, r10d
  syscall
  mov eax, 39             # kill(getpid(), SIGSTOP)
  syscall
  mov edi, eax
  mov esi, 19
  mov eax, 62
  syscall
gadget:
  syscall                 # injected syscalls start here
  int3
2:
  mov eax, 231            # exit_group(1)
  mov edi, 1
  syscall
  ud2
.balign 8
ppid:
  .long 0
