package dev.jvisor.runsc.oci;

/** A bundle or its config.json is unusable; the message is one line that names the file or field. */
public final class BundleConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public BundleConfigException(String message) {
        super(message, null, false, false);
    }
}
