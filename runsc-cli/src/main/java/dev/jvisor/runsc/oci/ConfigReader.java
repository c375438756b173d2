package dev.jvisor.runsc.oci;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/** Reads a config.json into an {@link OciSpec}; every failure is one line naming the file and the field. */
public final class ConfigReader {
    private ConfigReader() {}

    /** Linux's HOST_NAME_MAX: sethostname(2) refuses longer names. */
    private static final int HOST_NAME_MAX = 64;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // the OCI spec requires it
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS) // "uid": "0" is a mistake, not a number
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL)) // no null inside args, env...
            .build();

    /** Reads and validates {@code file}. */
    public static OciSpec read(Path file) throws BundleConfigException {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BundleConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new BundleConfigException(file + ": " + e.getMessage());
        }
        return parse(file.toString(), json);
    }

    /** Reads a process spec ({@code exec --process F}: the "process" object of config.json on its own). */
    public static OciSpec.Process readProcess(Path file) throws BundleConfigException {
        try {
            return MAPPER.readValue(Files.readAllBytes(file), OciSpec.Process.class);
        } catch (JsonProcessingException e) {
            throw new BundleConfigException(file + ": " + describe(e));
        } catch (IOException e) {
            throw new BundleConfigException(file + ": " + (e instanceof NoSuchFileException ? "no such file"
                    : e.getMessage()));
        }
    }

    /** Parses and validates config.json content; {@code name} names it in messages. */
    public static OciSpec parse(String name, byte[] json) throws BundleConfigException {
        OciSpec spec;
        try {
            spec = MAPPER.readValue(json, OciSpec.class);
        } catch (JsonProcessingException e) {
            throw new BundleConfigException(name + ": " + describe(e));
        } catch (IOException e) {
            throw new BundleConfigException(name + ": " + e.getMessage());
        }
        validate(name, spec);
        Unenforced.log(name, spec, json);
        return spec;
    }

    /**
     * Parses a linux.resources object ({@code update --resources}): the fields type-checked as in config.json,
     * memory.limit checked as there.
     */
    public static OciSpec.Resources parseResources(String name, byte[] json) throws BundleConfigException {
        OciSpec.Resources r;
        try {
            r = MAPPER.readValue(json, OciSpec.Resources.class);
        } catch (JsonProcessingException e) {
            throw new BundleConfigException(name + ": " + describe(e));
        } catch (IOException e) {
            throw new BundleConfigException(name + ": " + e.getMessage());
        }
        if (r == null) {
            throw new BundleConfigException(name + ": expected an object");
        }
        Long mem = r.memory() == null ? null : r.memory().limit();
        if (mem != null && mem < -1) {
            throw new BundleConfigException(name + ": memory.limit: " + mem + " is neither a byte count nor -1");
        }
        Unenforced.logResources(name, "", r);
        return r;
    }

    private static void validate(String name, OciSpec s) throws BundleConfigException {
        OciSpec.Process p = s.process();
        require(name, p != null, "process", "required");
        require(name, p.args() != null && !p.args().isEmpty(), "process.args", "must not be empty");
        require(name, !p.args().getFirst().isEmpty(), "process.args[0]", "must not be empty");
        require(name, p.cwd() != null && !p.cwd().isEmpty(), "process.cwd", "required");
        require(name, p.cwd().startsWith("/"), "process.cwd", "must be an absolute path, not '" + p.cwd() + "'");
        if (p.user() != null) {
            require(name, p.user().uid() >= 0, "process.user.uid", "must not be negative");
            require(name, p.user().gid() >= 0, "process.user.gid", "must not be negative");
            if (p.user().additionalGids() != null) {
                require(name, p.user().additionalGids().stream().allMatch(g -> g >= 0),
                        "process.user.additionalGids", "must not be negative");
            }
        }
        require(name, s.root() != null && s.root().path() != null && !s.root().path().isBlank(),
                "root.path", "required");
        require(name, s.hostname() == null || s.hostname().length() <= HOST_NAME_MAX, "hostname",
                "longer than " + HOST_NAME_MAX + " characters");
        ResourceLimits.of(name, s); // throws for an invalid rlimit or resource limit
    }

    private static void require(String name, boolean ok, String field, String problem) throws BundleConfigException {
        if (!ok) {
            throw new BundleConfigException(name + ": " + field + ": " + problem);
        }
    }

    /** One line: the field (when Jackson knows it), the problem, and where in the file. */
    static String describe(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String at = loc == null || loc.getLineNr() < 0 ? ""
                : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        // Jackson reports a syntax error met while binding a field as a mapping error caused by the parser's.
        if (e instanceof StreamReadException || e.getCause() instanceof StreamReadException) {
            JsonProcessingException syntax = e.getCause() instanceof StreamReadException c ? c : e;
            JsonLocation sloc = syntax.getLocation() != null ? syntax.getLocation() : loc;
            return "invalid JSON: " + firstLine(syntax.getOriginalMessage()) + (sloc == null ? ""
                    : " (line " + sloc.getLineNr() + ", column " + sloc.getColumnNr() + ")");
        }
        if (e instanceof JsonMappingException m) {
            String field = path(m);
            if (field.isEmpty() && m.getOriginalMessage().startsWith("No content")) {
                return "empty file";
            }
            String problem = switch (m) {
                case InvalidNullException n -> "must not be null";
                case MismatchedInputException mi when mi.getTargetType() != null -> "expected " + kind(mi.getTargetType());
                default -> firstLine(m.getOriginalMessage());
            };
            return (field.isEmpty() ? "" : field + ": ") + problem + at;
        }
        return "invalid JSON: " + firstLine(e.getOriginalMessage()) + at;
    }

    private static String path(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String kind(Class<?> type) {
        if (type == String.class) {
            return "a string";
        } else if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        } else if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        } else if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return type.getSimpleName();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
