package dev.jvisor.sentry.vfs;

/** A task's file descriptor table. SKELETON: the owner of package vfs implements it. */
public final class FdTable {
}
