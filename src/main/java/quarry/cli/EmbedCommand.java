package quarry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.encode.CachingEncoder;
import quarry.encode.Encoders;

@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed the texts of a JSONL or CSV file. Vectors are cached under QUARRY_HOME, so a second run "
                + "is served from the cache.",
            "With --out, writes DIR/vectors.f32 (float32 little-endian, one row per document), DIR/ids.txt "
                + "(the row order) and DIR/embeddings.json (encoder, dimension, count)."})
public final class EmbedCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL or CSV file to embed")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "write the vectors here")
    Path out;

    @Mixin
    EncoderMixin encoderOptions;

    @Mixin
    ImportMixin importOptions;

    @Override
    public Integer call() throws IOException {
        List<Document> docs = importOptions.read(data);
        List<String> texts = docs.stream().map(Document::text).toList();
        long start = System.nanoTime();
        float[][] vectors;
        long cachedBefore;
        try (CachingEncoder encoder = Encoders.openCached(encoderOptions.encoder, encoderOptions.options())) {
            if (encoder.cache().recoveryNote() != null) {
                System.err.println("embedding cache: " + encoder.cache().recoveryNote());
            }
            cachedBefore = encoder.cache().hits();
            vectors = encoder.encode(texts, new ProgressBar(System.err, "embed", "texts"));
            long hits = encoder.cache().hits() - cachedBefore;
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "embedded %d documents with %s in %.1f s (%d from cache, %d newly encoded)%n",
                    docs.size(), encoder.id(), seconds, hits, docs.size() - hits);
            if (out != null) {
                write(out, docs, vectors, encoder);
                System.out.println("wrote " + out.resolve("vectors.f32") + " (" + vectors.length + " x "
                        + encoder.dimension() + ")");
            }
        }
        return 0;
    }

    /** Writes beside the target first and moves into place, so a failed run leaves no half file. */
    private static void write(Path dir, List<Document> docs, float[][] vectors, CachingEncoder encoder)
            throws IOException {
        Files.createDirectories(dir);
        Path tmpVectors = Files.createTempFile(dir, "vectors", ".tmp");
        Path tmpIds = Files.createTempFile(dir, "ids", ".tmp");
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmpVectors), 1 << 20)) {
                ByteBuffer row = ByteBuffer.allocate(encoder.dimension() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] v : vectors) {
                    row.clear();
                    row.asFloatBuffer().put(v);
                    os.write(row.array());
                }
            }
            try (DataOutputStream os = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmpIds)))) {
                for (Document d : docs) {
                    os.write((d.id() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            ObjectNode meta = new ObjectMapper().createObjectNode();
            meta.put("encoder", encoder.id());
            meta.put("fingerprint", encoder.fingerprint());
            meta.put("dimension", encoder.dimension());
            meta.put("count", vectors.length);
            meta.put("format", "float32 little-endian, row-major; row i is line i of ids.txt");
            Files.move(tmpVectors, dir.resolve("vectors.f32"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmpIds, dir.resolve("ids.txt"), StandardCopyOption.REPLACE_EXISTING);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("embeddings.json").toFile(), meta);
        } catch (IOException e) {
            throw new QuarryException("cannot write " + dir + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmpVectors);
            Files.deleteIfExists(tmpIds);
        }
    }
}
