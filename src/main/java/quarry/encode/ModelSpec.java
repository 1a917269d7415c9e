package quarry.encode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import quarry.core.QuarryException;

/**
 * An encoder folder {@code models/<name>/} as read from disk: its {@code model.json} settings and
 * the files they point at. {@link #load} checks every file, so a broken folder fails here with the
 * file named, not later inside a native library.
 */
public record ModelSpec(
        Path folder,
        String id,
        int dimension,
        int maxTokens,
        Pooling pooling,
        boolean normalize,
        String engine,
        Path weights,
        Path tokenizer,
        List<String> inputs,
        String licence,
        String source) {

    public static final String MODEL_JSON = "model.json";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String ONNX = "model.onnx";
    public static final String TORCHSCRIPT = "model.pt";

    /** How token vectors become one text vector. bge models use CLS, sentence-transformers mean. */
    public enum Pooling { MEAN, CLS }

    private static final List<String> BERT_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    public ModelSpec {
        inputs = List.copyOf(inputs);
    }

    /** Reads and checks {@code folder}; throws {@link QuarryException} naming the first bad file. */
    public static ModelSpec load(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new QuarryException("model folder " + folder + " does not exist");
        }
        Path json = folder.resolve(MODEL_JSON);
        JsonNode root = readJson(json);
        String id = text(root, json, "id", folder.getFileName().toString());
        int dimension = positiveInt(root, json, "dimension", -1);
        int maxTokens = positiveInt(root, json, "maxTokens", 512);
        Pooling pooling = pooling(root, json);
        boolean normalize = !root.has("normalize") || root.get("normalize").asBoolean(true);
        Path tokenizer = requireFile(folder.resolve(TOKENIZER_JSON), "the tokenizer");
        String engine = text(root, json, "engine", null);
        Path weights = weights(folder, json, engine);
        if (engine == null) {
            engine = weights.getFileName().toString().equals(ONNX) ? "OnnxRuntime" : "PyTorch";
        }
        List<String> inputs = stringList(root, json, "inputs", BERT_INPUTS);
        return new ModelSpec(folder, id, dimension, maxTokens, pooling, normalize, engine, weights, tokenizer,
                inputs, text(root, json, "licence", "unknown"), text(root, json, "source", "unknown"));
    }

    /**
     * Identifies the exact model and settings for the embedding cache: a changed model.json,
     * different weights or tokenizer, or other window settings must not reuse cached vectors.
     */
    public String fingerprint(int effectiveMaxTokens, int windowOverlap) {
        try {
            return String.join("|", id, engine, pooling.name(), Boolean.toString(normalize),
                    Integer.toString(dimension), Long.toString(Files.size(weights)),
                    Long.toString(Files.size(tokenizer)),
                    Integer.toHexString(Files.readString(folder.resolve(MODEL_JSON)).hashCode()),
                    "window=" + effectiveMaxTokens + "/" + windowOverlap);
        } catch (IOException e) {
            throw new QuarryException("cannot read model files in " + folder + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path json) {
        requireFile(json, "the model description");
        try {
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            if (root == null || !root.isObject()) {
                throw new QuarryException(json + ": expected a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new QuarryException(json + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new QuarryException(json + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Path weights(Path folder, Path json, String engine) {
        Path onnx = folder.resolve(ONNX);
        Path pt = folder.resolve(TORCHSCRIPT);
        if (engine == null) {
            if (Files.exists(onnx)) {
                return requireFile(onnx, "the ONNX weights");
            }
            if (Files.exists(pt)) {
                return requireFile(pt, "the TorchScript weights");
            }
            throw new QuarryException(folder + ": no weights: expected " + ONNX + " or " + TORCHSCRIPT);
        }
        return switch (engine) {
            case "OnnxRuntime" -> requireFile(onnx, "the ONNX weights (engine OnnxRuntime)");
            case "PyTorch" -> requireFile(pt, "the TorchScript weights (engine PyTorch)");
            default -> throw new QuarryException(json + ": field 'engine' is '" + engine
                    + "'; expected OnnxRuntime or PyTorch");
        };
    }

    private static Path requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new QuarryException(file + " is missing (" + what + ")");
        }
        try {
            if (Files.size(file) == 0) {
                throw new QuarryException(file + " is empty (" + what + ")");
            }
        } catch (IOException e) {
            throw new QuarryException(file + ": cannot read: " + e.getMessage(), e);
        }
        return file;
    }

    private static String text(JsonNode root, Path json, String field, String fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new QuarryException(json + ": field '" + field + "' must be a non-empty string");
        }
        return node.asText();
    }

    private static int positiveInt(JsonNode root, Path json, String field, int fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (fallback < 0) {
                throw new QuarryException(json + ": field '" + field + "' is missing");
            }
            return fallback;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() <= 0) {
            throw new QuarryException(json + ": field '" + field + "' must be a positive integer, got " + node);
        }
        return node.asInt();
    }

    private static Pooling pooling(JsonNode root, Path json) {
        String value = text(root, json, "pooling", "mean");
        try {
            return Pooling.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new QuarryException(json + ": field 'pooling' is '" + value + "'; expected mean or cls");
        }
    }

    private static List<String> stringList(JsonNode root, Path json, String field, List<String> fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.isTextual() ? n.asText() : ""));
        }
        if (values.isEmpty() || values.contains("")) {
            throw new QuarryException(json + ": field '" + field + "' must be a non-empty list of input names");
        }
        return values;
    }
}
