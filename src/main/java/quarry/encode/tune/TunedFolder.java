package quarry.encode.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import quarry.core.QuarryException;
import quarry.encode.ModelSpec;

/**
 * A fine-tuned encoder's folder {@code models/<name>/}: the parent's ONNX graph with the new
 * weights, its tokenizer, and a {@code model.json} with the parent's settings plus where the
 * weights came from. The folder is written beside its place and moved in whole, so a failed run
 * leaves nothing that looks like an encoder; a {@code .gitignore} inside keeps it out of git.
 */
final class TunedFolder {

    /** A plain folder name, as {@code Encoders.find} accepts it. */
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,127}";

    private TunedFolder() {
    }

    /** Where encoder {@code name} goes; refuses names with path characters and folders that exist. */
    static Path target(Path modelsDir, String name) {
        if (name == null || !name.matches(NAME)) {
            throw new QuarryException("encoder name '" + name + "' is not a plain folder name (letters, digits, "
                    + "'.', '_', '-'; starting with a letter or digit; at most 128 characters)");
        }
        if (!Files.isDirectory(modelsDir)) {
            throw new QuarryException("models folder " + modelsDir + " does not exist");
        }
        Path folder = modelsDir.resolve(name);
        if (Files.exists(folder)) {
            throw new QuarryException(folder + " already exists; choose another name or remove it");
        }
        return folder;
    }

    /** Writes the folder; returns its path. {@code fineTune} goes into model.json as field "fineTune". */
    static Path write(Path modelsDir, String name, ModelSpec parent, OnnxBert onnx, Map<String, float[]> weights,
            Map<String, Object> fineTune) {
        Path folder = target(modelsDir, name);
        Path temp = null;
        try {
            // hidden (leading dot): Encoders.list skips it while it is being written
            temp = Files.createTempDirectory(modelsDir, "." + name + "-");
            onnx.write(temp.resolve(ModelSpec.ONNX), weights);
            Files.copy(parent.tokenizer(), temp.resolve(ModelSpec.TOKENIZER_JSON));
            ObjectMapper json = new ObjectMapper();
            ObjectNode spec = (ObjectNode) json.readTree(parent.folder().resolve(ModelSpec.MODEL_JSON).toFile());
            spec.put("id", name);
            spec.put("name", name + " (fine-tuned from " + parent.id() + ")");
            spec.put("engine", "OnnxRuntime");
            spec.put("quantized", false);
            spec.put("source", "fine-tuned by Quarry from " + parent.id() + " (" + parent.source() + ")");
            spec.put("parent", parent.id());
            // model.json's text is part of the embedding cache's fingerprint: the hash ties it to these weights
            spec.put("weightsSha256", sha256(temp.resolve(ModelSpec.ONNX)));
            spec.set("fineTune", json.valueToTree(fineTune));
            json.writerWithDefaultPrettyPrinter().writeValue(temp.resolve(ModelSpec.MODEL_JSON).toFile(), spec);
            Files.writeString(temp.resolve(".gitignore"), "# written by quarry finetune: tuned weights stay out of git\n*\n");
            ModelSpec.load(temp); // the folder must load as an encoder before it takes its name
            try {
                Files.move(temp, folder, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, folder);
            }
            temp = null;
            return folder;
        } catch (IOException e) {
            throw new QuarryException("cannot write " + folder + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover hidden temp folder is harmless; the error that got us here matters more
        }
    }
}
