package quarry.arch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.arch.fixture.Pong;
import quarry.arch.fixture.UsesBench;
import quarry.arch.fixture.UsesJavalin;
import quarry.arch.fixture.UsesLucene;
import quarry.arch.fixture.UsesMicrometer;
import quarry.core.fixture.ImpureCore;
import quarry.core.fixture.Ping;

/**
 * The rules of {@link ArchitectureTest} can fail: each one, run over test-only fixtures that break
 * it on purpose, reports the fixture; run over product classes that keep it, reports nothing.
 */
@Tag("unit")
class RulesCanFailTest {

    private static final JavaClasses FIXTURES = new ClassFileImporter().importClasses(UsesLucene.class,
            UsesJavalin.class, UsesBench.class, ImpureCore.class, Ping.class, Pong.class, UsesMicrometer.class);

    private static void assertReports(ArchRule rule, Class<?> culprit) {
        EvaluationResult result = rule.evaluate(FIXTURES);
        String report = result.getFailureReport().toString();
        assertTrue(result.hasViolation(), rule.getDescription() + " passed the fixtures");
        assertTrue(report.contains(culprit.getName()), report);
    }

    @Test
    void luceneOutsideIndexIsReported() {
        assertReports(ArchitectureTest.ONLY_INDEX_USES_LUCENE, UsesLucene.class);
    }

    @Test
    void javalinOutsideServerIsReported() {
        assertReports(ArchitectureTest.ONLY_SERVER_USES_JAVALIN, UsesJavalin.class);
    }

    @Test
    void micrometerOutsideServerIsReported() {
        assertReports(ArchitectureTest.ONLY_SERVER_USES_MICROMETER, UsesMicrometer.class);
    }

    @Test
    void benchUsedByProductIsReported() {
        assertReports(ArchitectureTest.PRODUCT_DOES_NOT_USE_BENCH, UsesBench.class);
    }

    @Test
    void thirdPartyImportInCoreIsReported() {
        assertReports(ArchitectureTest.CORE_IS_PLAIN_JAVA, ImpureCore.class);
    }

    @Test
    void packageCycleIsReported() {
        assertReports(ArchitectureTest.NO_CYCLES, Ping.class);
    }

    @Test
    void classesThatKeepTheRulesPass() {
        JavaClasses keepers = new ClassFileImporter().importClasses(quarry.index.VectorIndex.class,
                quarry.core.Document.class, quarry.core.Vectors.class, quarry.bench.Memory.class);
        for (ArchRule rule : List.of(ArchitectureTest.ONLY_INDEX_USES_LUCENE, ArchitectureTest.ONLY_SERVER_USES_JAVALIN,
                ArchitectureTest.ONLY_SERVER_USES_MICROMETER,
                ArchitectureTest.PRODUCT_DOES_NOT_USE_BENCH, ArchitectureTest.CORE_IS_PLAIN_JAVA)) {
            EvaluationResult result = rule.evaluate(keepers);
            assertFalse(result.hasViolation(), result.getFailureReport().toString());
        }
    }
}
