package quarry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.Home;

@Command(name = "learner", mixinStandardHelpOptions = true,
        description = {"Time and peak memory to score and select a batch from synthetic pools of 384-d embeddings "
                + "(margin, BALD, density-weighted + diverse), vector index build time, and head training time.",
            "Pools of a million need about 4 GB of heap: run with QUARRY_JAVA_OPTS=-Xmx8g."})
final class LearnerBenchCommand implements Callable<Integer> {

    @Option(names = "--pools", split = ",", paramLabel = "N,N", defaultValue = "10000,100000,1000000",
            description = "pool sizes (default: ${DEFAULT-VALUE})")
    int[] pools;

    @Option(names = "--classes", defaultValue = "150", description = "classes (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--batch", defaultValue = "50", description = "picks per selection (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--passes", defaultValue = "20", description = "MC dropout passes (default: ${DEFAULT-VALUE})")
    int passes;

    @Option(names = "--labels", split = ",", paramLabel = "N,N", defaultValue = "1000,5000,20000",
            description = "labeled set sizes for training times; 0 skips the training sections (default: ${DEFAULT-VALUE})")
    int[] labels;

    @Option(names = "--index-max", defaultValue = "100000",
            description = "largest pool that gets a vector index for density + diversity (default: ${DEFAULT-VALUE})")
    int indexMax;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Override
    public Integer call() throws IOException {
        Path work = Files.createDirectories(Home.dir().resolve("bench"));
        LearnerBench bench = new LearnerBench(new LearnerBench.Config(pools, classes, batch, passes, labels, indexMax,
                seed), System.err::println);
        List<String> table = bench.run(work);
        System.out.println();
        System.out.println(LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        table.forEach(System.out::println);
        return 0;
    }
}
