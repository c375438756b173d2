package dev.jvisor.sentry.vfs;

/** A task's root, working directory and umask. SKELETON: the owner of package vfs implements it. */
public final class FsContext {
}
