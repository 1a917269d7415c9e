package quarry.encode.tune;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.QuarryException;
import quarry.encode.ModelSpec;

/** A truncated, foreign or incomplete ONNX file fails with the file and what is missing named. */
@Tag("integration")
class BrokenOnnxTest {

    @TempDir
    static Path dir;

    static ModelProto minilm;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = Files.newInputStream(TuneFixtures.encoder("all-minilm-l6-v2").weights())) {
            minilm = ModelProto.parseFrom(in);
        }
    }

    private static String failure(Path file) {
        QuarryException e = assertThrows(QuarryException.class, () -> OnnxBert.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static Path write(String name, ModelProto model) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(file)) {
            model.writeTo(os);
        }
        return file;
    }

    private static Path edited(String name, UnaryOperator<GraphProto.Builder> edit) throws IOException {
        return write(name, minilm.toBuilder().setGraph(edit.apply(minilm.getGraph().toBuilder())).build());
    }

    @Test
    void truncatedFileIsNotReadable() throws IOException {
        Path file = dir.resolve("truncated.onnx");
        try (InputStream in = Files.newInputStream(TuneFixtures.encoder("all-minilm-l6-v2").weights())) {
            Files.write(file, in.readNBytes(1 << 20));
        }
        String message = failure(file);
        assertTrue(message.contains("not a readable ONNX model (truncated or not ONNX)"), message);
    }

    @Test
    void foreignGraphNamesTheMissingEmbedding() throws IOException {
        TensorProto w = TensorProto.newBuilder().setName("w").addAllDims(List.of(2L, 2L))
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(new byte[16])).build();
        GraphProto graph = GraphProto.newBuilder().addInitializer(w)
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w").addOutput("y")).build();
        String message = failure(write("foreign.onnx", ModelProto.newBuilder().setGraph(graph).build()));
        assertTrue(message.contains("no initializer 'embeddings.word_embeddings.weight'"), message);
        assertTrue(message.contains("not a BERT encoder"), message);
    }

    @Test
    void graphWithoutWeightsSaysSo() throws IOException {
        String message = failure(write("empty.onnx", ModelProto.newBuilder().setGraph(GraphProto.getDefaultInstance())
                .build()));
        assertTrue(message.contains("holds no weights"), message);
    }

    @Test
    void missingWordEmbeddingIsNamed() throws IOException {
        Path file = edited("no-words.onnx", g -> {
            for (int i = 0; i < g.getInitializerCount(); i++) {
                if (g.getInitializer(i).getName().equals(OnnxBert.WORD_EMBEDDINGS)) {
                    return g.removeInitializer(i);
                }
            }
            throw new AssertionError("MiniLM has a word embedding");
        });
        String message = failure(file);
        assertTrue(message.contains("no initializer 'embeddings.word_embeddings.weight'"), message);
    }

    @Test
    void unboundProjectionIsNamedWithItsBias() throws IOException {
        Path file = edited("no-query.onnx", g -> {
            for (int i = 0; i < g.getNodeCount(); i++) {
                if (g.getNode(i).getName().equals("/encoder/layer.2/attention/self/query/MatMul")) {
                    return g.removeNode(i);
                }
            }
            throw new AssertionError("MiniLM has a layer-2 query MatMul");
        });
        String message = failure(file);
        assertTrue(message.contains("no initializer 'encoder.layer.2.attention.self.query.weight' (no MatMul weight "
                + "followed by the bias 'encoder.layer.2.attention.self.query.bias')"), message);
    }

    @Test
    void quantisedEncoderIsRefusedWithTheReason() {
        String message = failure(TuneFixtures.encoder("all-minilm-l6-v2-q").weights());
        assertTrue(message.contains("a quantised (int8) graph"), message);
        assertTrue(message.contains("fine-tune the fp32 encoder"), message);
    }

    @Test
    void fineTuneOfABrokenFolderNamesTheFileAndWritesNothing(@TempDir Path models) throws IOException {
        ModelSpec minilm = TuneFixtures.encoder("all-minilm-l6-v2");
        Path broken = Files.createDirectory(models.resolve("broken"));
        Files.copy(minilm.folder().resolve("model.json"), broken.resolve("model.json"));
        Files.copy(minilm.tokenizer(), broken.resolve("tokenizer.json"));
        Files.write(broken.resolve("model.onnx"), new byte[] {8, 7, 18, 3, 'a'});
        QuarryException e = assertThrows(QuarryException.class, () -> FineTuner.tune(ModelSpec.load(broken),
                List.of("a", "b"), List.of("x", "y"), FineTuneSettings.DEFAULTS, models, "out", p -> { }));
        assertTrue(e.getMessage().startsWith(broken.resolve("model.onnx").toString()), e.getMessage());
        assertFalse(Files.exists(models.resolve("out")));
        try (var left = Files.list(models)) {
            assertTrue(left.allMatch(p -> p.getFileName().toString().equals("broken")), "no temp folder left");
        }
    }
}
