package quarry.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "index", mixinStandardHelpOptions = true,
        description = "Vector index on synthetic clustered 384-d vectors: build, density refresh, a later batch with "
                + "density folding, query latency and recall@10 against brute force.")
final class IndexBenchCommand implements Callable<Integer> {

    @Option(names = "--size", defaultValue = "100000", description = "vectors (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Override
    public Integer call() {
        System.out.println(IndexBench.run(size, 384, seed));
        return 0;
    }
}
