package quarry.spark;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import quarry.core.QuarryException;

/** Reading the documents a job works on, and writing its results, from and to any path Spark reads. */
final class Inputs {

    private Inputs() {
    }

    /** The format a path names by its extension, when {@code format} is {@code auto}. */
    static String format(String path, String format) {
        if (!format.equals("auto")) {
            if (!format.matches("jsonl|csv|parquet")) {
                throw new QuarryException("format must be auto, jsonl, csv or parquet, got '" + format + "'");
            }
            return format;
        }
        String lower = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
            return "jsonl";
        }
        if (lower.endsWith(".csv")) {
            return "csv";
        }
        if (lower.endsWith(".parquet")) {
            return "parquet";
        }
        throw new QuarryException(path + ": cannot tell the format from the name; end it in .jsonl, .csv or .parquet,"
                + " or pass --format");
    }

    /**
     * Columns {@code id} and {@code text} (both strings) of a JSONL, CSV (with a header) or Parquet
     * source; a missing column is named with the columns there are.
     */
    static Dataset<Row> documents(SparkSession spark, String path, String format, String idField, String textField) {
        Dataset<Row> raw = switch (format(path, format)) {
            case "jsonl" -> spark.read().json(path);
            // quoted cells may hold newlines and doubled quotes, as RFC 4180 and Quarry's own CSV have
            case "csv" -> spark.read().option("header", true).option("multiLine", true).option("escape", "\"")
                    .csv(path);
            default -> spark.read().parquet(path);
        };
        for (String column : new String[] {idField, textField}) {
            if (!Arrays.asList(raw.columns()).contains(column)) {
                throw new QuarryException(path + ": no column '" + column + "' (it has " + String.join(", ", raw.columns())
                        + "); name the right one with --id-field or --text-field");
            }
        }
        return raw.select(functions.col(idField).cast("string").as("id"), functions.col(textField).cast("string")
                .as("text"));
    }

    /** Writes {@code rows} as Parquet or JSONL (one part file per partition, as Spark does). */
    static void write(Dataset<Row> rows, String path, String format) {
        String f = format(path, format);
        switch (f) {
            case "parquet" -> rows.write().mode("errorifexists").parquet(path);
            case "jsonl" -> rows.write().mode("errorifexists").json(path);
            default -> throw new QuarryException(path + ": results are written as Parquet or JSONL, not " + f);
        }
    }
}
