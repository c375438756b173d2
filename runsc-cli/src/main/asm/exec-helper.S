# The `jrunsc exec` helper: the process whose PID the pid-file names. Its fd 3 is a connection to the sentry that
# serves the exec'd process. It blocks every signal and reads them from a signalfd: each one's number goes to the
# sentry as 4 bytes (the sentry sends it to the exec'd process). The sentry sends the exec'd process's wait(2)
# status as 4 bytes when it ends: the helper exits with its code, or dies by its signal. EOF (the sentry is
# gone) exits 255. SIGKILL cannot be blocked: the helper dies, the sentry sees EOF and kills the process.
# Assembled by hand into ExecHelper.CODE (as --64 exec-helper.S && objdump -d a.out); position-independent,
# uses only its stack. Stack frame: [0,8) sigset, [8,24) two pollfds, [32,160) signalfd_siginfo, [160,164) status.
    .intel_syntax noprefix
    .globl _start
_start:
    sub rsp, 256
    mov qword ptr [rsp], -1
    mov eax, 14                 # rt_sigprocmask(SIG_BLOCK, all, NULL, 8)
    xor edi, edi
    mov rsi, rsp
    xor edx, edx
    mov r10d, 8
    syscall
    mov rax, 0x652d63736e75726a # "jrunsc-e" (little-endian: 'j' first)
    mov qword ptr [rsp+32], rax
    mov dword ptr [rsp+40], 0x636578 # "xec\0"
    mov eax, 157                # prctl(PR_SET_NAME, "jrunsc-exec")
    mov edi, 15
    lea rsi, [rsp+32]
    syscall
    mov eax, 289                # signalfd4(-1, all, 8, SFD_CLOEXEC)
    mov edi, -1
    mov rsi, rsp
    mov edx, 8
    mov r10d, 0x80000
    syscall
    test eax, eax
    js fail
    mov r12d, eax
poll:
    mov dword ptr [rsp+8], r12d
    mov dword ptr [rsp+12], 1   # POLLIN
    mov dword ptr [rsp+16], 3
    mov dword ptr [rsp+20], 1
    mov eax, 7                  # poll(fds, 2, -1)
    lea rdi, [rsp+8]
    mov esi, 2
    mov edx, -1
    syscall
    test rax, rax
    jle poll
    movzx eax, word ptr [rsp+22]
    test eax, eax               # the status (or EOF) first: nothing to forward once it ended
    jnz status
    xor eax, eax                # read(sfd, info, 128)
    mov edi, r12d
    lea rsi, [rsp+32]
    mov edx, 128
    syscall
    cmp rax, 128
    jne poll
    mov eax, 1                  # write(3, &ssi_signo, 4)
    mov edi, 3
    lea rsi, [rsp+32]
    mov edx, 4
    syscall
    jmp poll
status:
    xor eax, eax                # read(3, &status, 4)
    mov edi, 3
    lea rsi, [rsp+160]
    mov edx, 4
    syscall
    cmp rax, 4
    jne fail
    mov ebx, dword ptr [rsp+160]
    mov r13d, ebx
    and r13d, 0x7f
    jz code
    mov rax, -1                 # unblock that signal alone, raise it: die as the process died
    lea ecx, [r13-1]
    btr rax, rcx
    mov qword ptr [rsp], rax
    mov eax, 14                 # rt_sigprocmask(SIG_SETMASK, all but sig, NULL, 8)
    mov edi, 2
    mov rsi, rsp
    xor edx, edx
    mov r10d, 8
    syscall
    mov eax, 157                # prctl(PR_SET_DUMPABLE, 0): its death by SIGSEGV & co. leaves no core
    mov edi, 4
    xor esi, esi
    syscall
    mov eax, 39                 # kill(getpid(), sig)
    syscall
    mov edi, eax
    mov esi, r13d
    mov eax, 62
    syscall
    lea edi, [r13+128]          # still here (a stop signal): exit 128 + sig
    jmp exit
code:
    shr ebx, 8
    movzx edi, bl
    jmp exit
fail:
    mov edi, 255
exit:
    mov eax, 231                # exit_group
    syscall
    ud2
