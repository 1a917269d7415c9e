package quarry.encode;

import java.nio.file.Path;
import quarry.core.Home;

/**
 * DJL settings that must hold before any engine starts: never download (offline), never phone home
 * (tracking opted out, or DJL probes a cloud metadata address), and keep extracted native
 * libraries in a folder Quarry controls.
 */
public final class DjlRuntime {

    private DjlRuntime() {
    }

    public static synchronized void configure() {
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
