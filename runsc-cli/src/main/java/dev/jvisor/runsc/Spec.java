package dev.jvisor.runsc;

import dev.jvisor.runsc.oci.Bundle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code jrunsc spec}: writes a default config.json into the bundle, like {@code runc spec}: a read-only
 * "rootfs" directory and an interactive {@code sh}, which suits a busybox root. It never overwrites one.
 */
@Command(name = "spec", description = "Write a default config.json into the bundle directory.")
final class Spec extends BaseCommand {
    @Mixin
    BundleOption bundle;

    @Override
    protected int execute() throws IOException {
        Path dir = bundle.dir();
        if (!Files.isDirectory(dir)) {
            throw new CliException("bundle " + dir + ": no such directory");
        }
        Path config = dir.resolve(Bundle.CONFIG);
        byte[] json = defaultConfig();
        try {
            Files.write(config, json, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(config + " exists; remove it first");
        } catch (IOException e) {
            throw new CliException(config + ": " + CliException.reason(e));
        }
        return OK;
    }

    static byte[] defaultConfig() throws IOException {
        try (InputStream in = Spec.class.getResourceAsStream("default-config.json")) {
            if (in == null) {
                throw new IOException("default-config.json is missing from the jrunsc jar");
            }
            return in.readAllBytes();
        }
    }
}
