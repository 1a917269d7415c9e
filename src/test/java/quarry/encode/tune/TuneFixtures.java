package quarry.encode.tune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import quarry.core.Document;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;

/** The real encoders the build unpacked and slices of the shared CLINC150 data. */
final class TuneFixtures {

    private TuneFixtures() {
    }

    static ModelSpec encoder(String name) {
        return ModelSpec.load(Encoders.modelsDir().resolve(name));
    }

    static Path sharedData() {
        String property = System.getProperty("quarry.sharedData");
        Path dir = property != null ? Path.of(property) : Path.of("..", "shared", "data");
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("shared data not found at " + dir.toAbsolutePath());
        }
        return dir;
    }

    /** The documents of a CLINC150 split, through the project's importer, in file order. */
    static List<Document> clinc(String split) {
        try {
            return DocumentImporter.read(sharedData().resolve("clinc150/" + split + ".jsonl"), ImportOptions.defaults())
                    .documents();
        } catch (IOException | quarry.data.ImportException e) {
            throw new AssertionError(e);
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
