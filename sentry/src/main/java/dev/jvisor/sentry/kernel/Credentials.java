package dev.jvisor.sentry.kernel;

/** A task's user and group IDs. Owned by the task thread (shared copy-on-write once threads exist). */
public final class Credentials {
    public int uid, euid, suid, fsuid;
    public int gid, egid, sgid, fsgid;
    public int[] groups;

    public Credentials(int uid, int gid, int[] groups) {
        this.uid = euid = suid = fsuid = uid;
        this.gid = egid = sgid = fsgid = gid;
        this.groups = groups.clone();
    }

    /** Root in the sandbox's user namespace may change IDs freely; others only among their own. */
    public boolean privileged() {
        return euid == 0;
    }

    /** A copy for a new task (clone): credentials are per task in Linux. */
    public Credentials copy() {
        Credentials c = new Credentials(uid, gid, groups);
        c.euid = euid;
        c.suid = suid;
        c.fsuid = fsuid;
        c.egid = egid;
        c.sgid = sgid;
        c.fsgid = fsgid;
        return c;
    }
}
