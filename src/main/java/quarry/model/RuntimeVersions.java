package quarry.model;

import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Map;

/** The versions a saved head was trained with, for its provenance: Java, DJL and the engine's libtorch. */
public final class RuntimeVersions {

    private RuntimeVersions() {
    }

    public static Map<String, String> current() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("java", System.getProperty("java.version"));
        out.put("djl", Engine.getDjlVersion());
        out.put("libtorch", Engine.getEngine("PyTorch").getVersion());
        return out;
    }
}
