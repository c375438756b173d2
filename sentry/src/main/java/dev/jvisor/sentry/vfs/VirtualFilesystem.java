package dev.jvisor.sentry.vfs;

/** The sandbox's mount tree and path resolution. SKELETON: the owner of package vfs implements it. */
public final class VirtualFilesystem {
}
