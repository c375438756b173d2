/* Edge cases of rt_sigtimedwait and rt_sigsuspend: sigsetsize, bad timeouts and pointers, a blocked ignored
 * signal still queued for the wait, SIGKILL/SIGSTOP in the set, a signal consumed though its siginfo could not be
 * written, the mask restored after sigsuspend, and SIGKILL/SIGSTOP never blocked. */
#include "guest.h"
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
static void h(int s){(void)s;}
int main(void){
  sigset_t set, old; siginfo_t si; struct timespec zero={0,0}, bad={0,1000000000}, neg={-1,0};
  sigemptyset(&set); sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 4), EINVAL);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), EAGAIN);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &bad, 8), EINVAL);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &neg, 8), EINVAL);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, (void*)1, &si, &zero, 8), EFAULT);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, (void*)1, 8), EFAULT);
  /* an ignored but blocked signal is queued and can be waited for */
  signal(SIGUSR1, SIG_IGN);
  raise(SIGUSR1);
  EXPECT(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), SIGUSR1);
  EXPECT(si.si_code, SI_TKILL);
  signal(SIGUSR1, SIG_DFL);
  /* siginfo NULL is fine */
  raise(SIGUSR1);
  EXPECT(syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 8), SIGUSR1);
  /* SIGKILL/SIGSTOP in the set are ignored: still EAGAIN */
  sigset_t ks; sigemptyset(&ks); sigaddset(&ks, SIGKILL); sigaddset(&ks, SIGSTOP);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &ks, &si, &zero, 8), EAGAIN);
  /* bad siginfo pointer with a pending signal: EFAULT, and the signal is consumed */
  raise(SIGUSR1);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, (void*)1, &zero, 8), EFAULT);
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), EAGAIN);
  /* an empty set with a timeout: EAGAIN after the timeout */
  sigset_t empty; sigemptyset(&empty);
  struct timespec ms={0,1000000};
  EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &empty, &si, &ms, 8), EAGAIN);
  /* rt_sigsuspend */
  EXPECT_ERR(syscall(SYS_rt_sigsuspend, &old, 4), EINVAL);
  EXPECT_ERR(syscall(SYS_rt_sigsuspend, (void*)1, 8), EFAULT);
  signal(SIGUSR1, h);
  raise(SIGUSR1); /* pending, blocked */
  EXPECT_ERR(syscall(SYS_rt_sigsuspend, &old, 8), EINTR);
  sigset_t now; sigprocmask(SIG_SETMASK, NULL, &now);
  EXPECT(sigismember(&now, SIGUSR1), 1); /* the old mask is back */
  /* sigsuspend can't unblock SIGKILL... a mask with everything: SIGKILL/SIGSTOP stay unblockable */
  sigset_t all; sigfillset(&all);
  EXPECT(sigprocmask(SIG_SETMASK, &all, NULL), 0);
  sigprocmask(SIG_SETMASK, NULL, &now);
  EXPECT(sigismember(&now, SIGKILL), 0);
  EXPECT(sigismember(&now, SIGSTOP), 0);
  return guest_done();
}
