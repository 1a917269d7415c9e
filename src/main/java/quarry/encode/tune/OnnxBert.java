package quarry.encode.tune;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import quarry.core.QuarryException;

/**
 * A BERT encoder's ONNX file (as Hugging Face exports it) read for training: its shape and its
 * weights under their Hugging Face names, and the way back, writing new weights into a copy of the
 * same graph.
 *
 * <p>Embeddings, LayerNorms and biases are initializers named as in Hugging Face. The projection
 * matrices are not: the exporter turns {@code x·Wᵀ + b} into {@code MatMul(x, W')} with {@code W'}
 * an unnamed {@code onnx::MatMul_NNN} stored [in, out], followed by {@code Add(b, ·)}. Each matrix
 * is named here by the graph: the bias added to its MatMul's output says which layer it belongs to.
 * Matrices keep their [in, out] layout in training too, so nothing is ever transposed.
 */
final class OnnxBert {

    static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings.weight";
    static final String TYPE_EMBEDDINGS = "embeddings.token_type_embeddings.weight";

    /** Per layer, the projections whose weights are unnamed MatMul initializers. */
    static final List<String> PROJECTIONS = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");
    private static final java.util.Set<String> QUANTISED_OPS = java.util.Set.of("MatMulInteger",
            "DynamicQuantizeLinear", "QLinearMatMul", "DequantizeLinear");
    private static final List<String> LAYER_NORMS = List.of("attention.output.LayerNorm", "output.LayerNorm");

    private final Path file;
    private final ModelProto model;
    private final BertConfig config;
    /** Hugging Face name → initializer, in the order {@link #parameterNames()} lists them. */
    private final Map<String, TensorProto> tensors;

    private OnnxBert(Path file, ModelProto model, BertConfig config, Map<String, TensorProto> tensors) {
        this.file = file;
        this.model = model;
        this.config = config;
        this.tensors = tensors;
    }

    /** Reads and checks {@code file}; a problem is a {@link QuarryException} naming the file and what is wrong. */
    static OnnxBert read(Path file) {
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new QuarryException(file + ": not a readable ONNX model (truncated or not ONNX): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new QuarryException(file + ": cannot read: " + e.getMessage(), e);
        }
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        if (initializers.isEmpty()) {
            throw new QuarryException(file + ": the ONNX graph holds no weights (initializers); not a usable encoder");
        }
        for (NodeProto node : graph.getNodeList()) {
            if (QUANTISED_OPS.contains(node.getOpType())) {
                throw new QuarryException(file + ": a quantised (int8) graph (it has " + node.getOpType()
                        + " nodes); fine-tune the fp32 encoder it was made from");
            }
        }
        Map<String, TensorProto> named = new HashMap<>(initializers);
        named.putAll(bindProjections(file, graph, initializers));

        TensorProto words = require(file, named, WORD_EMBEDDINGS);
        int layers = 0;
        while (named.containsKey("encoder.layer." + layers + ".attention.self.query.bias")) {
            layers++;
        }
        if (layers == 0) {
            throw new QuarryException(file + ": no initializer 'encoder.layer.0.attention.self.query.bias'; "
                    + "not a BERT encoder exported from Hugging Face");
        }
        int hidden = dim(words, 1);
        int heads = heads(file, graph, hidden);
        BertConfig config = new BertConfig(dim(words, 0), hidden, layers, heads,
                dim(require(file, named, "encoder.layer.0.intermediate.dense.bias"), 0),
                dim(require(file, named, POSITION_EMBEDDINGS), 0), dim(require(file, named, TYPE_EMBEDDINGS), 0));

        Map<String, TensorProto> tensors = new LinkedHashMap<>();
        for (String name : parameterNames(layers)) {
            TensorProto t = require(file, named, name);
            long[] expected = expectedShape(name, config);
            if (!java.util.Arrays.equals(shape(t), expected)) {
                throw new QuarryException(file + ": '" + name + "' has shape " + java.util.Arrays.toString(shape(t))
                        + ", expected " + java.util.Arrays.toString(expected));
            }
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                throw new QuarryException(file + ": '" + name + "' is not float32 (data type "
                        + t.getDataType() + "); quantised encoders cannot be fine-tuned, use the fp32 one");
            }
            if (t.getExternalDataCount() > 0) {
                throw new QuarryException(file + ": '" + name + "' is stored outside the file (external data), "
                        + "which is not supported");
            }
            tensors.put(name, t);
        }
        return new OnnxBert(file, model, config, tensors);
    }

    BertConfig config() {
        return config;
    }

    Path file() {
        return file;
    }

    /** The trainable tensors under their Hugging Face names, embeddings first, then layer by layer. */
    List<String> parameterNames() {
        return List.copyOf(tensors.keySet());
    }

    long[] shape(String name) {
        return shape(tensor(name));
    }

    float[] values(String name) {
        TensorProto t = tensor(name);
        int count = Math.toIntExact(elements(shape(t)));
        float[] out = new float[count];
        if (!t.getRawData().isEmpty()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (raw.remaining() != count * Float.BYTES) {
                throw new QuarryException(file + ": '" + name + "' holds " + raw.remaining() + " bytes, expected "
                        + count * Float.BYTES);
            }
            raw.asFloatBuffer().get(out);
        } else if (t.getFloatDataCount() == count) {
            for (int i = 0; i < count; i++) {
                out[i] = t.getFloatData(i);
            }
        } else {
            throw new QuarryException(file + ": '" + name + "' holds " + t.getFloatDataCount() + " values, expected "
                    + count);
        }
        return out;
    }

    /**
     * Writes the graph to {@code out} with the initializers in {@code weights} (Hugging Face name →
     * values, same shapes) replaced; everything else is copied unchanged.
     */
    void write(Path out, Map<String, float[]> weights) throws IOException {
        Map<String, String> byInitializer = new HashMap<>();
        for (String name : weights.keySet()) {
            byInitializer.put(tensor(name).getName(), name);
        }
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            String name = byInitializer.get(graph.getInitializer(i).getName());
            if (name == null) {
                continue;
            }
            float[] values = weights.get(name);
            if (values.length != elements(shape(name))) {
                throw new IllegalArgumentException(name + ": " + values.length + " values for shape "
                        + java.util.Arrays.toString(shape(name)));
            }
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            graph.setInitializer(i, graph.getInitializer(i).toBuilder().clearFloatData()
                    .setRawData(ByteString.copyFrom(bytes.array())));
        }
        try (OutputStream os = Files.newOutputStream(out)) {
            model.toBuilder().setGraph(graph).build().writeTo(os);
        }
    }

    private TensorProto tensor(String name) {
        TensorProto t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' in " + file);
        }
        return t;
    }

    static List<String> parameterNames(int layers) {
        List<String> names = new ArrayList<>(List.of(WORD_EMBEDDINGS, POSITION_EMBEDDINGS, TYPE_EMBEDDINGS,
                "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
        for (int l = 0; l < layers; l++) {
            String prefix = "encoder.layer." + l + ".";
            for (String p : PROJECTIONS) {
                names.add(prefix + p + ".weight");
                names.add(prefix + p + ".bias");
            }
            for (String n : LAYER_NORMS) {
                names.add(prefix + n + ".weight");
                names.add(prefix + n + ".bias");
            }
        }
        return names;
    }

    private static long[] expectedShape(String name, BertConfig c) {
        long h = c.hidden();
        if (name.equals(WORD_EMBEDDINGS)) {
            return new long[] {c.vocab(), h};
        } else if (name.equals(POSITION_EMBEDDINGS)) {
            return new long[] {c.positions(), h};
        } else if (name.equals(TYPE_EMBEDDINGS)) {
            return new long[] {c.tokenTypes(), h};
        } else if (name.endsWith("intermediate.dense.weight")) {
            return new long[] {h, c.intermediate()};
        } else if (name.endsWith("intermediate.dense.bias")) {
            return new long[] {c.intermediate()};
        } else if (name.endsWith(".output.dense.weight") && !name.contains("attention")) {
            return new long[] {c.intermediate(), h};
        } else if (name.endsWith(".weight") && !name.contains("LayerNorm")) {
            return new long[] {h, h};
        }
        return new long[] {h};
    }

    /**
     * Names every {@code MatMul(x, W)} whose W is an initializer by the bias added to its output:
     * {@code Add(encoder.layer.3.attention.self.query.bias, MatMul(x, W))} makes W
     * {@code encoder.layer.3.attention.self.query.weight}.
     */
    private static Map<String, TensorProto> bindProjections(Path file, GraphProto graph,
            Map<String, TensorProto> initializers) {
        Map<String, List<NodeProto>> consumers = consumers(graph);
        Map<String, TensorProto> bound = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (!node.getOpType().equals("MatMul") || node.getInputCount() != 2
                    || !initializers.containsKey(node.getInput(1))) {
                continue;
            }
            for (NodeProto add : consumers.getOrDefault(node.getOutput(0), List.of())) {
                if (!add.getOpType().equals("Add")) {
                    continue;
                }
                for (String input : add.getInputList()) {
                    if (input.endsWith(".bias") && initializers.containsKey(input)) {
                        String weight = input.substring(0, input.length() - ".bias".length()) + ".weight";
                        TensorProto previous = bound.put(weight, initializers.get(node.getInput(1)));
                        if (previous != null && !previous.getName().equals(node.getInput(1))) {
                            throw new QuarryException(file + ": two MatMul weights (" + previous.getName() + ", "
                                    + node.getInput(1) + ") feed the bias '" + input + "'");
                        }
                    }
                }
            }
        }
        return bound;
    }

    /**
     * The attention heads: the query projection's output is reshaped to [batch, length, heads,
     * headSize] before attention; the last two entries of that Reshape's target shape are constants.
     */
    private static int heads(Path file, GraphProto graph, int hidden) {
        Map<String, List<NodeProto>> consumers = consumers(graph);
        Map<String, NodeProto> producers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
        }
        for (NodeProto add : graph.getNodeList()) {
            if (!add.getOpType().equals("Add") || !add.getInputList().contains("encoder.layer.0.attention.self.query.bias")) {
                continue;
            }
            for (NodeProto reshape : consumers.getOrDefault(add.getOutput(0), List.of())) {
                if (!reshape.getOpType().equals("Reshape")) {
                    continue;
                }
                List<Long> target = constantLongs(reshape.getInput(1), producers);
                if (target.size() == 4 && target.get(2) > 0 && target.get(2) * target.get(3) == hidden) {
                    return Math.toIntExact(target.get(2));
                }
            }
        }
        throw new QuarryException(file + ": cannot tell the number of attention heads from the graph "
                + "(no Reshape of the layer-0 query to [batch, length, heads, head size])");
    }

    /** The int64 values behind {@code name}: a Constant, or a Concat of pieces (unknown pieces are -1). */
    private static List<Long> constantLongs(String name, Map<String, NodeProto> producers) {
        NodeProto node = producers.get(name);
        List<Long> values = new ArrayList<>();
        if (node == null) {
            values.add(-1L);
        } else if (node.getOpType().equals("Constant") && node.getAttributeCount() > 0
                && node.getAttribute(0).hasT()) {
            TensorProto t = node.getAttribute(0).getT();
            if (t.getDataType() == TensorProto.DataType.INT64_VALUE && !t.getRawData().isEmpty()) {
                ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                while (raw.remaining() >= Long.BYTES) {
                    values.add(raw.getLong());
                }
            } else if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
                values.addAll(t.getInt64DataList());
            } else {
                values.add(-1L);
            }
        } else if (node.getOpType().equals("Concat")) {
            for (String input : node.getInputList()) {
                values.addAll(constantLongs(input, producers));
            }
        } else {
            values.add(-1L);
        }
        return values;
    }

    private static Map<String, List<NodeProto>> consumers(GraphProto graph) {
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        return consumers;
    }

    private static TensorProto require(Path file, Map<String, TensorProto> named, String name) {
        TensorProto t = named.get(name);
        if (t == null) {
            String what = name.endsWith(".weight") && PROJECTIONS.stream().anyMatch(name::contains)
                    ? " (no MatMul weight followed by the bias '" + name.replace(".weight", ".bias") + "')" : "";
            throw new QuarryException(file + ": no initializer '" + name + "'" + what
                    + "; not a BERT encoder exported from Hugging Face");
        }
        return t;
    }

    private static long[] shape(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static int dim(TensorProto t, int axis) {
        if (t.getDimsCount() <= axis) {
            throw new QuarryException("initializer '" + t.getName() + "' has shape " + t.getDimsList()
                    + "; expected at least " + (axis + 1) + " dimensions");
        }
        return Math.toIntExact(t.getDims(axis));
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
