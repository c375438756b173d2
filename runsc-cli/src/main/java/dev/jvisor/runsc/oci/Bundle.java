package dev.jvisor.runsc.oci;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An OCI bundle: a directory holding config.json, whose root.path (absolute, or relative to the bundle) names
 * the container's root filesystem.
 *
 * @param dir the bundle directory, absolute
 * @param config the validated config.json
 * @param rootfs root.path resolved against the bundle
 */
public record Bundle(Path dir, OciSpec config, Path rootfs) {
    /** The file name of the spec inside a bundle. */
    public static final String CONFIG = "config.json";

    /** Loads the bundle at {@code dir} (as the user gave it: messages quote it). */
    public static Bundle load(Path dir) throws BundleConfigException {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw new BundleConfigException("bundle " + dir + ": "
                    + (Files.exists(abs) ? "not a directory" : "no such directory"));
        }
        OciSpec config = ConfigReader.read(abs.resolve(CONFIG));
        Path rootfs = abs.resolve(config.root().path()).normalize();
        if (!Files.isDirectory(rootfs)) {
            throw new BundleConfigException("root.path " + rootfs + ": "
                    + (Files.exists(rootfs) ? "not a directory" : "no such directory"));
        }
        checkBindSources(config, abs);
        return new Bundle(abs, config, rootfs);
    }

    /** A bind mount: type "bind", or "bind"/"rbind" among the options (runc accepts either). */
    public static boolean isBind(OciSpec.Mount m) {
        return "bind".equals(m.type()) || (m.options() != null
                && (m.options().contains("bind") || m.options().contains("rbind")));
    }

    /** A bind's source: absolute, or relative to the bundle directory. */
    public static Path bindSource(OciSpec.Mount m, Path bundleDir) {
        return bundleDir.resolve(m.source() == null ? "" : m.source()).normalize();
    }

    /**
     * Every bind source must be a directory or a regular file (symlinks followed, as runc does): checked here,
     * before any process or state exists, so a bad one is a one-line error.
     */
    private static void checkBindSources(OciSpec config, Path bundleDir) throws BundleConfigException {
        if (config.mounts() == null) {
            return;
        }
        for (OciSpec.Mount m : config.mounts()) {
            if (!isBind(m)) {
                continue;
            }
            if (m.source() == null || m.source().isEmpty()) {
                throw new BundleConfigException("bind mount at " + m.destination() + ": no source");
            }
            Path src = bindSource(m, bundleDir);
            if (!Files.exists(src)) {
                throw new BundleConfigException("bind mount source " + src + " (at " + m.destination()
                        + "): no such file or directory");
            }
            if (!Files.isDirectory(src) && !Files.isRegularFile(src)) {
                throw new BundleConfigException("bind mount source " + src + " (at " + m.destination()
                        + "): not a directory or regular file");
            }
        }
    }
}
