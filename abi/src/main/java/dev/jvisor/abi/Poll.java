package dev.jvisor.abi;

/** poll(2), select(2) and epoll(7) constants and layouts. */
public final class Poll {
    private Poll() {}

    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10,
            POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200,
            POLLMSG = 0x400, POLLRDHUP = 0x2000;

    /** What a file without a poll operation reports (Linux's DEFAULT_POLLMASK): always readable and writable. */
    public static final int DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

    /** select(2)'s readable, writable and exceptional sets, in poll bits (fs/select.c). */
    public static final int POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR,
            POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR, POLLEX_SET = POLLPRI;

    /** struct pollfd: int fd; short events; short revents. */
    public static final int POLLFD_SIZE = 8;

    // epoll
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10,
            EPOLLRDNORM = 0x40, EPOLLRDBAND = 0x80, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200, EPOLLMSG = 0x400,
            EPOLLRDHUP = 0x2000, EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30,
            EPOLLET = 1 << 31;
    public static final int EPOLL_CLOEXEC = Fcntl.O_CLOEXEC;
    /** struct epoll_event is packed on x86-64: u32 events, u64 data. */
    public static final int EPOLL_EVENT_SIZE = 12;
    /** Most events one epoll_wait may ask for: INT_MAX / sizeof(struct epoll_event). */
    public static final int EP_MAX_EVENTS = Integer.MAX_VALUE / EPOLL_EVENT_SIZE;

    // eventfd
    public static final int EFD_SEMAPHORE = 1, EFD_CLOEXEC = Fcntl.O_CLOEXEC, EFD_NONBLOCK = Fcntl.O_NONBLOCK;

    // timerfd
    public static final int TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2, TFD_CLOEXEC = Fcntl.O_CLOEXEC,
            TFD_NONBLOCK = Fcntl.O_NONBLOCK;
}
