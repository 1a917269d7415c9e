package quarry.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.CRC32;
import quarry.core.QuarryException;

/**
 * A saved head is a folder with {@code head.json} (labels, encoder, dimension, every training
 * setting, thresholds, provenance, and a CRC32 of the weights) and {@code weights.params} (DJL's
 * parameter format). Each file is written to a temporary name and moved into place; the CRC ties
 * the two together, so a crash between the moves, a truncated or an altered file is reported (by
 * path) at load, never read as a silently different head.
 */
final class HeadFiles {

    static final String METADATA = "head.json";
    static final String WEIGHTS = "weights.params";
    static final String FORMAT = "quarry-head";
    static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What {@code head.json} holds. */
    record Metadata(String format, int version, List<String> labels, boolean multiLabel, String encoderId,
                    int dimension, int features, HeadConfig config, float[] thresholds, float emptyBelow,
                    TrainingInfo training, String weightsFile, long weightsBytes, String weightsCrc32) {
    }

    private HeadFiles() {
    }

    static void save(Head head, Path dir) {
        byte[] weights;
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            head.net().block().saveParameters(out);
            out.flush();
            weights = bytes.toByteArray();
        } catch (IOException e) {
            throw new QuarryException("cannot serialise the head's weights: " + e.getMessage(), e);
        }
        Metadata metadata = new Metadata(FORMAT, VERSION, head.labels(), head.multiLabel(), head.encoderId(),
                head.dimension(), head.net().features(), head.config(), head.thresholdsInternal(), head.emptyBelow(),
                head.training(),
                WEIGHTS, weights.length, crc(weights));
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(WEIGHTS), weights);
            writeAtomically(dir.resolve(METADATA), JSON.writeValueAsBytes(metadata));
        } catch (IOException e) {
            throw new QuarryException("cannot save head to " + dir + ": " + e, e);
        }
    }

    static Head load(Path dir) {
        Path metaFile = dir.resolve(METADATA);
        Metadata meta;
        try {
            meta = JSON.readValue(Files.readAllBytes(metaFile), Metadata.class);
        } catch (NoSuchFileException e) {
            throw new QuarryException("head metadata " + metaFile + " is missing", e);
        } catch (JsonProcessingException e) {
            throw new QuarryException("head metadata " + metaFile + " is not valid: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new QuarryException("cannot read head metadata " + metaFile + ": " + e, e);
        }
        checkMetadata(meta, metaFile);
        Path weightsFile = dir.resolve(meta.weightsFile());
        byte[] weights;
        try {
            weights = Files.readAllBytes(weightsFile);
        } catch (NoSuchFileException e) {
            throw new QuarryException("head weights " + weightsFile + " are missing", e);
        } catch (IOException e) {
            throw new QuarryException("cannot read head weights " + weightsFile + ": " + e, e);
        }
        if (weights.length != meta.weightsBytes() || !crc(weights).equals(meta.weightsCrc32())) {
            throw new QuarryException("head weights " + weightsFile + " are damaged: " + weights.length
                    + " bytes with CRC32 " + crc(weights) + ", " + metaFile + " expects " + meta.weightsBytes()
                    + " bytes with CRC32 " + meta.weightsCrc32());
        }
        HeadConfig config = meta.config();
        Model model = Head.newModel();
        try {
            Net net = Net.shape(config.kind(), meta.dimension(), meta.features(), meta.labels().size(),
                    config.dropout());
            net.block().freezeParameters(true);
            model.setBlock(net.block());
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
                net.block().loadParameters(model.getNDManager(), in);
            }
            net.checkShapes();
            return Head.restore(model, net, meta.labels(), meta.multiLabel(), config, meta.encoderId(),
                    meta.thresholds(), meta.emptyBelow(), meta.training());
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new QuarryException("head weights " + weightsFile + " do not match " + metaFile + ": "
                    + e.getMessage(), e);
        }
    }

    private static void checkMetadata(Metadata m, Path file) {
        String problem = null;
        if (!FORMAT.equals(m.format())) {
            problem = "format is '" + m.format() + "', expected '" + FORMAT + "'";
        } else if (m.version() != VERSION) {
            problem = "version " + m.version() + " is not supported (this build reads " + VERSION + ")";
        } else if (m.config() == null || m.labels() == null || m.encoderId() == null || m.weightsFile() == null
                || m.weightsCrc32() == null) {
            problem = "config, labels, encoderId, weightsFile and weightsCrc32 are required";
        } else if (m.dimension() < 1 || m.features() != m.config().features(m.dimension())) {
            problem = "dimension " + m.dimension() + " and features " + m.features() + " do not fit a "
                    + m.config().kind() + " head";
        } else if (m.weightsFile().contains("/") || m.weightsFile().contains("\\")) {
            problem = "weightsFile must be a plain file name, got '" + m.weightsFile() + "'";
        } else if (m.multiLabel() != (m.thresholds() != null)
                || (m.thresholds() != null && m.thresholds().length != m.labels().size())) {
            problem = "thresholds must be given for exactly the labels of a multi-label head";
        } else if (!(m.emptyBelow() <= 0)) {
            problem = "emptyBelow must be <= 0 (0: never fall back to the nearest label), got " + m.emptyBelow();
        } else {
            try {
                new Targets(m.labels(), m.multiLabel(), new int[0][]);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            throw new QuarryException("head metadata " + file + " is not valid: " + problem);
        }
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }
}
