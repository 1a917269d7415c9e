package quarry.encode;

import java.nio.file.Path;

/** Where tests find the encoders the build unpacked. */
final class TestModels {

    private TestModels() {
    }

    static Path dir() {
        return Encoders.modelsDir();
    }

    static ModelSpec minilm() {
        return ModelSpec.load(dir().resolve("all-minilm-l6-v2"));
    }
}
