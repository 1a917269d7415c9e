package quarry.core;

/** This build's version, as the server reports it and model bundles record it. */
public final class Version {

    public static final String QUARRY = "0.1.0";

    private Version() {
    }
}
