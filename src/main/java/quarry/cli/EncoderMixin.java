package quarry.cli;

import picocli.CommandLine.Option;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;

/** Which encoder to use and how to run it. */
final class EncoderMixin {

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT,
            description = "encoder under the models folder (default: ${DEFAULT-VALUE}); see 'quarry encoders'")
    String encoder;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "texts per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "0",
            description = "window length in tokens; longer texts are split into overlapping windows "
                    + "(default: the model's own limit)")
    int maxTokens;

    @Option(names = "--pool", paramLabel = "N", defaultValue = "1",
            description = "predictors running at once; CPU threads are shared among them (default: ${DEFAULT-VALUE})")
    int pool;

    EncoderOptions options() {
        return EncoderOptions.DEFAULTS.withBatchSize(batch).withMaxTokens(maxTokens).withPoolSize(pool);
    }
}
