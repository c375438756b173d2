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
        return new Bundle(abs, config, rootfs);
    }
}
