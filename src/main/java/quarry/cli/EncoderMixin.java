package quarry.cli;

import picocli.CommandLine.Option;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;

/** Which encoder to use and how to run it. */
final class EncoderMixin {

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT,
            description = "encoder under the models folder (default: ${DEFAULT-VALUE}); see 'quarry encoders'")
    String encoder;

    @picocli.CommandLine.Mixin
    RunMixin run;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "0",
            description = "window length in tokens; longer texts are split into overlapping windows "
                    + "(default: the model's own limit)")
    int maxTokens;

    EncoderOptions options() {
        return EncoderOptions.DEFAULTS.withBatchSize(run.batch).withMaxTokens(maxTokens).withPoolSize(run.pool);
    }
}
