package quarry.encode;

import quarry.djl.DjlSettings;

/**
 * Kept for callers outside {@code encode} and {@code model} (the command line) that configure DJL
 * before anything else; the settings themselves live in {@link DjlSettings}.
 */
public final class DjlRuntime {

    private DjlRuntime() {
    }

    /** Same as {@link DjlSettings#apply()}. */
    public static void configure() {
        DjlSettings.apply();
    }
}
