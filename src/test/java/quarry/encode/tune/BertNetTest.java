package quarry.encode.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import quarry.core.Document;
import quarry.encode.DjlEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.ModelSpec;

/** The trainable encoder, before any training, embeds as ONNX Runtime does. */
@Tag("integration")
class BertNetTest {

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-en-v1.5"})
    void untrainedWeightsEmbedAsOnnxRuntime(String name) {
        ModelSpec spec = TuneFixtures.encoder(name);
        List<String> texts = TuneFixtures.clinc("valid").stream().limit(20).map(Document::text).toList();
        float[][] expected;
        try (DjlEncoder onnx = DjlEncoder.load(spec, EncoderOptions.DEFAULTS)) {
            expected = onnx.encode(texts);
        }
        OnnxBert graph = OnnxBert.read(spec.weights());
        BertConfig c = graph.config();
        assertEquals(List.of(30522, 384, name.startsWith("bge") ? 12 : 6, 12, 1536, 512, 2),
                List.of(c.vocab(), c.hidden(), c.layers(), c.heads(), c.intermediate(), c.positions(), c.tokenTypes()));
        assertEquals(c.layers() * 16 + 5, graph.parameterNames().size(), "trainable tensors");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
             BertNet net = BertNet.load(graph, spec.pooling(), spec.normalize(), manager, Device.cpu());
             Tokens tokens = Tokens.open(spec, 64)) {
            NDArray[] batch = Tokens.batch(manager, Arrays.asList(tokens.ids(texts)));
            double worst = 1;
            float[] flat = net.embed(batch[0], batch[1], 0.1f, false).toFloatArray();
            for (int i = 0; i < texts.size(); i++) {
                float[] row = Arrays.copyOfRange(flat, i * 384, (i + 1) * 384);
                double cosine = TuneFixtures.cosine(row, expected[i]);
                worst = Math.min(worst, cosine);
                assertTrue(cosine >= 0.9999, name + " text " + i + " '" + texts.get(i) + "': cosine " + cosine);
            }
            System.out.println(name + ": lowest cosine to ONNX Runtime over " + texts.size() + " texts: " + worst);
        }
    }
}
