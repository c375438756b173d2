package dev.jvisor.runsc;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code jrunsc --version}, in runc's shape: the version, then the OCI runtime spec version. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IOException("version.properties is missing from the jrunsc jar");
            }
            p.load(in);
        }
        return new String[] {"jrunsc version " + p.getProperty("version"), "spec: " + p.getProperty("spec")};
    }
}
