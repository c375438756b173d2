package dev.jvisor.runsc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import picocli.CommandLine.Command;

/**
 * {@code jrunsc features}: what this runtime implements, in the OCI runtime-spec's features.md format (Docker
 * asks). Honest: what is accepted but not applied yet (cgroups, seccomp, AppArmor, SELinux, hooks, mount
 * options, namespaces, since the sandbox is its own isolation) is reported as absent.
 */
@Command(name = "features", description = "Print the features this runtime implements, as JSON.")
final class Features extends BaseCommand {
    @Override
    protected int execute() throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("ociVersionMin", "1.0.0");
        root.put("ociVersionMax", "1.0.2");
        root.set("hooks", f.arrayNode());
        root.set("mountOptions", f.arrayNode());
        ObjectNode linux = root.putObject("linux");
        linux.set("namespaces", f.arrayNode());
        linux.set("capabilities", f.arrayNode());
        ObjectNode cgroup = linux.putObject("cgroup");
        for (String k : new String[] {"v1", "v2", "systemd", "systemdUser"}) {
            cgroup.put(k, false);
        }
        linux.putObject("seccomp").put("enabled", false);
        linux.putObject("apparmor").put("enabled", false);
        linux.putObject("selinux").put("enabled", false);
        ObjectNode annotations = root.putObject("annotations");
        annotations.put("dev.jvisor.platforms", String.join(",",
                Platforms.ALL.stream().filter(Platforms.Info::available).map(Platforms.Info::name).toList()));
        out().println(Json.PRETTY.writeValueAsString(root));
        out().flush();
        return OK;
    }
}
