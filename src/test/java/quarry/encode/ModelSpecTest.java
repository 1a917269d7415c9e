package quarry.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.QuarryException;

/** A model folder with a missing or broken file fails with that file named. */
@Tag("unit")
class ModelSpecTest {

    @TempDir
    Path models;

    private Path folder;

    @BeforeEach
    void copyMiniLm() throws IOException {
        Path source = TestModels.dir().resolve("all-minilm-l6-v2");
        folder = Files.createDirectories(models.resolve("custom"));
        Files.copy(source.resolve("model.json"), folder.resolve("model.json"));
        Files.copy(source.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        // a link keeps the 90 MB of weights out of the temp folder
        Files.createSymbolicLink(folder.resolve("model.onnx"), source.resolve("model.onnx"));
    }

    private String failure() {
        return assertThrows(QuarryException.class, () -> ModelSpec.load(folder)).getMessage();
    }

    @Test
    void completeFolderLoads() {
        ModelSpec spec = ModelSpec.load(folder);
        assertEquals("all-minilm-l6-v2", spec.id());
        assertEquals(384, spec.dimension());
        assertEquals(ModelSpec.Pooling.MEAN, spec.pooling());
        assertEquals("OnnxRuntime", spec.engine());
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), spec.inputs());
    }

    @Test
    void missingWeightsAreNamed() throws IOException {
        Files.delete(folder.resolve("model.onnx"));
        String message = failure();
        assertTrue(message.contains("model.onnx") && message.contains("missing"), message);
    }

    @Test
    void missingTokenizerIsNamed() throws IOException {
        Files.delete(folder.resolve("tokenizer.json"));
        String message = failure();
        assertTrue(message.contains("tokenizer.json") && message.contains("missing"), message);
    }

    @Test
    void missingModelJsonIsNamed() throws IOException {
        Files.delete(folder.resolve("model.json"));
        String message = failure();
        assertTrue(message.contains("model.json") && message.contains("missing"), message);
    }

    @Test
    void emptyTokenizerIsNamed() throws IOException {
        Files.writeString(folder.resolve("tokenizer.json"), "");
        String message = failure();
        assertTrue(message.contains("tokenizer.json") && message.contains("empty"), message);
    }

    @Test
    void malformedModelJsonNamesFileAndLine() throws IOException {
        Files.writeString(folder.resolve("model.json"), "{\n  \"id\": \"x\",\n  \"dimension\": \n}");
        String message = failure();
        assertTrue(message.contains("model.json") && message.contains("line 4"), message);
    }

    @Test
    void badFieldIsNamed() throws IOException {
        Files.writeString(folder.resolve("model.json"), "{\"id\": \"x\", \"dimension\": -3}");
        String message = failure();
        assertTrue(message.contains("'dimension'") && message.contains("-3"), message);
        Files.writeString(folder.resolve("model.json"), "{\"id\": \"x\", \"dimension\": 384, \"pooling\": \"max\"}");
        assertTrue(failure().contains("'pooling' is 'max'"));
    }

    @Test
    void torchScriptEngineWithoutModelPtIsNamed() throws IOException {
        Files.writeString(folder.resolve("model.json"), "{\"id\": \"x\", \"dimension\": 384, \"engine\": \"PyTorch\"}");
        String message = failure();
        assertTrue(message.contains("model.pt") && message.contains("missing"), message);
    }

    @Test
    void corruptWeightsFailOnLoadNamingTheFile() throws IOException {
        Files.delete(folder.resolve("model.onnx"));
        Files.writeString(folder.resolve("model.onnx"), "this is not an onnx graph");
        ModelSpec spec = ModelSpec.load(folder);
        String message = assertThrows(QuarryException.class, () -> DjlEncoder.load(spec, EncoderOptions.DEFAULTS))
                .getMessage();
        assertTrue(message.contains("model.onnx"), message);
    }

    @Test
    void corruptTokenizerFailsOnLoadNamingTheFile() throws IOException {
        Files.writeString(folder.resolve("tokenizer.json"), "{\"not\": \"a tokenizer\"}");
        ModelSpec spec = ModelSpec.load(folder);
        String message = assertThrows(QuarryException.class, () -> DjlEncoder.load(spec, EncoderOptions.DEFAULTS))
                .getMessage();
        assertTrue(message.contains("tokenizer.json"), message);
    }

    @Test
    void registryListsBrokenFoldersAndNamesInstalledOnes() throws IOException {
        Files.createDirectories(models.resolve("empty"));
        List<Encoders.Installed> installed = Encoders.list(models);
        assertEquals(2, installed.size());
        assertTrue(installed.stream().anyMatch(e -> e.name().equals("custom") && e.ok()));
        assertTrue(installed.stream().anyMatch(e -> e.name().equals("empty") && e.problem().contains("model.json")));
        String message = assertThrows(QuarryException.class, () -> Encoders.find(models, "nope")).getMessage();
        assertTrue(message.contains("no encoder 'nope'") && message.contains("custom"), message);
        assertThrows(QuarryException.class, () -> Encoders.find(models, "../etc"));
    }
}
