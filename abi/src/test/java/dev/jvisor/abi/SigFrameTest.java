package dev.jvisor.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signal-frame offsets against the C headers: small programs print offsetof() of the kernel's
 * {@code asm/sigcontext.h} structs and of glibc's {@code ucontext_t} and {@code siginfo_t} (whose first 304
 * bytes are the kernel's ucontext), and every constant must equal them.
 */
class SigFrameTest {
    private static final String KERNEL = """
            #include <stddef.h>
            #include <stdio.h>
            #include <asm/sigcontext.h>
            #define P(name, v) printf("%s %ld\\n", name, (long) (v))
            int main(void) {
                P("SC_R8", offsetof(struct sigcontext, r8));
                P("SC_RDI", offsetof(struct sigcontext, rdi));
                P("SC_RAX", offsetof(struct sigcontext, rax));
                P("SC_RSP", offsetof(struct sigcontext, rsp));
                P("SC_RIP", offsetof(struct sigcontext, rip));
                P("SC_EFLAGS", offsetof(struct sigcontext, eflags));
                P("SC_CS", offsetof(struct sigcontext, cs));
                P("SC_GS", offsetof(struct sigcontext, gs));
                P("SC_FS", offsetof(struct sigcontext, fs));
                P("SC_SS", offsetof(struct sigcontext, ss));
                P("SC_ERR", offsetof(struct sigcontext, err));
                P("SC_TRAPNO", offsetof(struct sigcontext, trapno));
                P("SC_OLDMASK", offsetof(struct sigcontext, oldmask));
                P("SC_CR2", offsetof(struct sigcontext, cr2));
                P("SC_FPSTATE", offsetof(struct sigcontext, fpstate));
                P("SC_SIZE", sizeof(struct sigcontext));
                P("SW_BYTES", offsetof(struct _fpstate_64, sw_reserved));
                P("MXCSR", offsetof(struct _fpstate_64, mxcsr));
                P("SW_EXTENDED_SIZE", offsetof(struct _fpx_sw_bytes, extended_size));
                P("SW_XFEATURES", offsetof(struct _fpx_sw_bytes, xfeatures));
                P("SW_XSTATE_SIZE", offsetof(struct _fpx_sw_bytes, xstate_size));
                P("FP_XSTATE_MAGIC1", FP_XSTATE_MAGIC1);
                P("FP_XSTATE_MAGIC2", FP_XSTATE_MAGIC2);
                P("XSTATE_BV", offsetof(struct _xstate, xstate_hdr));
                return 0;
            }
            """;

    private static final String LIBC = """
            #define _GNU_SOURCE
            #include <stddef.h>
            #include <stdio.h>
            #include <signal.h>
            #include <sys/ucontext.h>
            #define P(name, v) printf("%s %ld\\n", name, (long) (v))
            int main(void) {
                P("UC_FLAGS", offsetof(ucontext_t, uc_flags));
                P("UC_LINK", offsetof(ucontext_t, uc_link));
                P("UC_STACK", offsetof(ucontext_t, uc_stack));
                P("UC_MCONTEXT", offsetof(ucontext_t, uc_mcontext));
                P("UC_SIGMASK", offsetof(ucontext_t, uc_sigmask));
                P("SS_SP", offsetof(stack_t, ss_sp));
                P("SS_FLAGS", offsetof(stack_t, ss_flags));
                P("SS_SIZE", offsetof(stack_t, ss_size));
                P("STACK_T_SIZE", sizeof(stack_t));
                P("SI_SIZE", sizeof(siginfo_t));
                P("SI_CODE", offsetof(siginfo_t, si_code));
                P("SI_ERRNO", offsetof(siginfo_t, si_errno));
                P("SI_PID", offsetof(siginfo_t, si_pid));
                P("SI_UID", offsetof(siginfo_t, si_uid));
                P("SI_STATUS", offsetof(siginfo_t, si_status));
                P("SI_VALUE", offsetof(siginfo_t, si_value));
                P("SI_ADDR", offsetof(siginfo_t, si_addr));
                P("SS_ONSTACK", SS_ONSTACK);
                P("SS_DISABLE", SS_DISABLE);
                P("SI_TKILL", SI_TKILL);
                P("SI_QUEUE", SI_QUEUE);
                P("SI_KERNEL", SI_KERNEL);
                P("FPE_INTDIV", FPE_INTDIV);
                P("ILL_ILLOPN", ILL_ILLOPN);
                P("SEGV_ACCERR", SEGV_ACCERR);
                P("BUS_ADRERR", BUS_ADRERR);
                return 0;
            }
            """;

    @TempDir
    Path dir;

    @Test
    void sigcontextAndFpAreaMatchAsmSigcontextH() throws Exception {
        Map<String, Long> c = offsets("kernel", KERNEL);
        int m = SigFrame.UC_MCONTEXT;
        // The sigcontext constants are offsets within uc_mcontext; the C struct starts at 0.
        assertEquals(c.get("SC_R8"), SigFrame.SC_R8);
        assertEquals(c.get("SC_RDI"), SigFrame.SC_RDI);
        assertEquals(c.get("SC_RAX"), SigFrame.SC_RAX);
        assertEquals(c.get("SC_RSP"), SigFrame.SC_RSP);
        assertEquals(c.get("SC_RIP"), SigFrame.SC_RIP);
        assertEquals(c.get("SC_EFLAGS"), SigFrame.SC_EFLAGS);
        assertEquals(c.get("SC_CS"), SigFrame.SC_CS);
        assertEquals(c.get("SC_GS"), SigFrame.SC_GS);
        assertEquals(c.get("SC_FS"), SigFrame.SC_FS);
        assertEquals(c.get("SC_SS"), SigFrame.SC_SS);
        assertEquals(c.get("SC_ERR"), SigFrame.SC_ERR);
        assertEquals(c.get("SC_TRAPNO"), SigFrame.SC_TRAPNO);
        assertEquals(c.get("SC_OLDMASK"), SigFrame.SC_OLDMASK);
        assertEquals(c.get("SC_CR2"), SigFrame.SC_CR2);
        assertEquals(c.get("SC_FPSTATE"), SigFrame.SC_FPSTATE);
        assertEquals(c.get("SC_SIZE"), SigFrame.SC_SIZE);
        assertEquals(c.get("SW_BYTES"), SigFrame.SW_BYTES);
        assertEquals(c.get("MXCSR"), SigFrame.MXCSR);
        assertEquals(c.get("SW_EXTENDED_SIZE"), SigFrame.SW_EXTENDED_SIZE);
        assertEquals(c.get("SW_XFEATURES"), SigFrame.SW_XFEATURES);
        assertEquals(c.get("SW_XSTATE_SIZE"), SigFrame.SW_XSTATE_SIZE);
        assertEquals(c.get("FP_XSTATE_MAGIC1"), SigFrame.FP_XSTATE_MAGIC1);
        assertEquals(c.get("FP_XSTATE_MAGIC2"), SigFrame.FP_XSTATE_MAGIC2);
        assertEquals(c.get("XSTATE_BV"), SigFrame.XSTATE_BV);
        // The general registers come in user_regs order r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags.
        assertEquals(UserRegs.RIP, SigFrame.SC_GREGS[(int) (c.get("SC_RIP") / 8)]);
        assertEquals(UserRegs.RAX, SigFrame.SC_GREGS[(int) (c.get("SC_RAX") / 8)]);
        assertEquals(UserRegs.RSP, SigFrame.SC_GREGS[(int) (c.get("SC_RSP") / 8)]);
        assertEquals(UserRegs.EFLAGS, SigFrame.SC_GREGS[(int) (c.get("SC_EFLAGS") / 8)]);
        assertEquals(m + SigFrame.SC_SIZE, SigFrame.UC_SIGMASK);
    }

    @Test
    void ucontextStackAndSiginfoMatchGlibc() throws Exception {
        Map<String, Long> c = offsets("libc", LIBC);
        assertEquals(c.get("UC_FLAGS"), SigFrame.UC_FLAGS);
        assertEquals(c.get("UC_LINK"), SigFrame.UC_LINK);
        assertEquals(c.get("UC_STACK"), SigFrame.UC_STACK);
        assertEquals(c.get("UC_MCONTEXT"), SigFrame.UC_MCONTEXT);
        assertEquals(c.get("UC_SIGMASK"), SigFrame.UC_SIGMASK);
        assertEquals(c.get("SS_SP"), SigFrame.SS_SP);
        assertEquals(c.get("SS_FLAGS"), SigFrame.SS_FLAGS);
        assertEquals(c.get("SS_SIZE"), SigFrame.SS_SIZE);
        assertEquals(c.get("STACK_T_SIZE"), SigFrame.STACK_T_SIZE);
        assertEquals(c.get("SI_SIZE"), SigInfo.SIZE);
        assertEquals(c.get("SI_CODE"), SigInfo.CODE);
        assertEquals(c.get("SI_ERRNO"), SigInfo.ERRNO);
        assertEquals(c.get("SI_PID"), SigInfo.PID);
        assertEquals(c.get("SI_UID"), SigInfo.UID);
        assertEquals(c.get("SI_STATUS"), SigInfo.STATUS);
        assertEquals(c.get("SI_VALUE"), SigInfo.VALUE);
        assertEquals(c.get("SI_ADDR"), SigInfo.ADDR);
        assertEquals(c.get("SS_ONSTACK"), SigFrame.SS_ONSTACK);
        assertEquals(c.get("SS_DISABLE"), SigFrame.SS_DISABLE);
        assertEquals(c.get("SI_TKILL"), SigInfo.SI_TKILL);
        assertEquals(c.get("SI_QUEUE"), SigInfo.SI_QUEUE);
        assertEquals(c.get("SI_KERNEL"), SigInfo.SI_KERNEL);
        assertEquals(c.get("FPE_INTDIV"), SigInfo.FPE_INTDIV);
        assertEquals(c.get("ILL_ILLOPN"), SigInfo.ILL_ILLOPN);
        assertEquals(c.get("SEGV_ACCERR"), SigInfo.SEGV_ACCERR);
        assertEquals(c.get("BUS_ADRERR"), SigInfo.BUS_ADRERR);
    }

    @Test
    void frameHoldsReturnAddressUcontextAndSiginfoInOrder() {
        assertEquals(8, SigFrame.UC);
        assertEquals(SigFrame.UC + SigFrame.UC_SIZE, SigFrame.INFO);
        assertEquals(SigFrame.INFO + SigInfo.SIZE, SigFrame.SIZE);
        assertEquals(SigFrame.UC_SIGMASK + 8, SigFrame.UC_SIZE);
    }

    /** Compiles and runs {@code source}, which prints "NAME value" lines. Skipped without gcc. */
    private Map<String, Long> offsets(String name, String source) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is needed to read the C headers");
        Path src = dir.resolve(name + ".c");
        Path bin = dir.resolve(name);
        Files.writeString(src, source);
        run("/usr/bin/gcc", "-o", bin.toString(), src.toString());
        String out = run(bin.toString());
        Map<String, Long> m = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(" ");
            m.put(f[0], Long.parseLong(f[1]));
        }
        return m;
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
