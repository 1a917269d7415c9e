package quarry.djl;

import java.nio.file.Path;
import quarry.core.Home;

/**
 * The one owner of the DJL settings that must hold before any engine starts: never download
 * (offline), never phone home (tracking opted out, or DJL probes a cloud metadata address), and
 * keep extracted native libraries in a folder Quarry controls. Both the encoders ({@code encode})
 * and the classifier heads ({@code model}) call {@link #apply()} before they first touch DJL, so
 * neither relies on the other having run first. It lives in its own package so that both can use
 * it without depending on each other; it sets system properties only and imports no DJL class.
 */
public final class DjlSettings {

    private DjlSettings() {
    }

    /** Sets the properties; cheap and idempotent, so call it before every first use of DJL. */
    public static synchronized void apply() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
            Path dir = Home.dir().resolve("djl");
            System.setProperty("DJL_CACHE_DIR", dir.toString());
        }
        // Java's default log level for DJL is chatty about engine loading; warnings still show.
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl", "warn");
        // ONNX Runtime warns at every start that this CPU-only machine has no CUDA.
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl.onnxruntime.engine.OrtEngine", "error");
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
