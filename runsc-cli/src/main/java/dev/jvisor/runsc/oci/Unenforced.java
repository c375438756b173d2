package dev.jvisor.runsc.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvisor.abi.Log;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of config.json that jrunsc accepts but does not apply (yet): host cgroup placement and the limits
 * only host cgroups could enforce, seccomp, AppArmor, SELinux, hooks, devices, sysctls, capabilities... They
 * are listed in the debug log, never dropped silently. What can be checked cheaply is checked: a seccomp
 * defaultAction or a hook that could never be valid fails here, one line naming the field.
 */
final class Unenforced {
    private Unenforced() {}

    private static final ObjectMapper TREE = new ObjectMapper()
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    /** Fields the sandbox applies, or that have no meaning for it; everything else present is logged. */
    private static final Set<String> APPLIED_TOP = Set.of("ociVersion", "process", "root", "hostname", "mounts",
            "annotations", "linux");
    private static final Set<String> APPLIED_PROCESS = Set.of("terminal", "consoleSize", "user", "args", "env",
            "cwd", "rlimits");
    private static final Set<String> APPLIED_LINUX = Set.of("resources");
    private static final Set<String> HOOKS = Set.of("prestart", "createRuntime", "createContainer",
            "startContainer", "poststart", "poststop");
    private static final Set<String> SECCOMP_ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",
            "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");

    /** Checks what can be checked of the parts not applied, and lists them in the debug log. */
    static void log(String name, OciSpec spec, byte[] json) throws BundleConfigException {
        JsonNode root;
        try {
            root = TREE.readTree(json);
        } catch (IOException e) {
            return; // already parsed once: cannot fail here
        }
        checkSeccomp(name, root.path("linux").path("seccomp"));
        checkHooks(name, root.path("hooks"));
        if (!Log.debugEnabled()) {
            return;
        }
        List<String> notApplied = new ArrayList<>();
        fieldsExcept(root, "", APPLIED_TOP, notApplied);
        fieldsExcept(root.path("process"), "process.", APPLIED_PROCESS, notApplied);
        fieldsExcept(root.path("linux"), "linux.", APPLIED_LINUX, notApplied);
        if (!notApplied.isEmpty()) {
            Log.debug(name + ": accepted, not applied: " + String.join(", ", notApplied));
        }
        if (spec.linux() != null && spec.linux().resources() != null) {
            logResources(name, "linux.resources.", spec.linux().resources());
        }
    }

    /**
     * Lists in the debug log the resources that only host cgroups could enforce (everything but pids.limit and
     * memory.limit); {@code prefix} is where they sit ("linux.resources." in config.json).
     */
    static void logResources(String name, String prefix, OciSpec.Resources r) {
        if (!Log.debugEnabled()) {
            return;
        }
        List<String> ignored = new ArrayList<>();
        JsonNode tree = TREE.valueToTree(r);
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (e.getKey().equals("pids") || e.getKey().equals("memory")) {
                for (Iterator<Map.Entry<String, JsonNode>> f = v.fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> sub = f.next();
                    if (!sub.getKey().equals("limit") && !sub.getValue().isNull()) {
                        ignored.add(prefix + e.getKey() + "." + sub.getKey() + "=" + sub.getValue());
                    }
                }
            } else {
                ignored.add(prefix + e.getKey() + "=" + v);
            }
        }
        if (!ignored.isEmpty()) {
            Log.debug(name + ": resources not enforced (they need host cgroups): " + String.join(", ", ignored));
        }
    }

    private static void fieldsExcept(JsonNode obj, String prefix, Set<String> applied, List<String> out) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!applied.contains(f)) {
                out.add(prefix + f);
            }
        }
    }

    private static void checkSeccomp(String name, JsonNode seccomp) throws BundleConfigException {
        if (seccomp.isMissingNode() || seccomp.isNull()) {
            return;
        }
        JsonNode action = seccomp.path("defaultAction");
        if (!action.isTextual() || !SECCOMP_ACTIONS.contains(action.asText())) {
            throw new BundleConfigException(name + ": linux.seccomp.defaultAction: "
                    + (action.isMissingNode() ? "required" : "unknown action " + action));
        }
    }

    private static void checkHooks(String name, JsonNode hooks) throws BundleConfigException {
        for (Iterator<Map.Entry<String, JsonNode>> it = hooks.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "hooks." + e.getKey();
            if (!HOOKS.contains(e.getKey())) {
                continue; // a hook of a later spec version: ignored, as unknown properties are
            }
            if (!e.getValue().isArray()) {
                throw new BundleConfigException(name + ": " + field + ": expected an array");
            }
            for (int i = 0; i < e.getValue().size(); i++) {
                JsonNode path = e.getValue().get(i).path("path");
                if (!path.isTextual() || !path.asText().startsWith("/")) {
                    throw new BundleConfigException(name + ": " + field + "[" + i + "].path: must be an absolute path");
                }
            }
        }
    }
}
