package quarry.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTag;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package rules of docs (DESIGN.md, "Architecture") over the main classes. Product code is
 * everything under {@code quarry} except the benchmarks in {@code quarry.bench}, which may use
 * anything. {@link RulesCanFailTest} shows that each import rule reports a violation.
 */
@ArchTag("unit")
@AnalyzeClasses(packages = "quarry", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    static final DescribedPredicate<JavaClass> PRODUCT =
            resideInAPackage("quarry..").and(not(resideInAPackage("quarry.bench.."))).as("product classes");

    /** Only {@code packages} of the product may depend on {@code library}'s packages. */
    static ArchRule onlyMayUse(String what, String[] packages, String... library) {
        return noClasses().that(PRODUCT).and().resideOutsideOfPackages(packages)
                .should().dependOnClassesThat().resideInAnyPackage(library)
                .as("only " + String.join(", ", packages) + " may use " + what);
    }

    @ArchTest
    static final ArchRule ONLY_SERVER_USES_JAVALIN = onlyMayUse("Javalin", new String[] {"quarry.server.."},
            "io.javalin..");

    /** Metrics are the server's business: the other packages expose plain figures (Views.Operations). */
    @ArchTest
    static final ArchRule ONLY_SERVER_USES_MICROMETER = onlyMayUse("Micrometer and the Prometheus client",
            new String[] {"quarry.server.."}, "io.micrometer..", "io.prometheus..");

    @ArchTest
    static final ArchRule ONLY_INDEX_USES_LUCENE = onlyMayUse("Lucene", new String[] {"quarry.index.."},
            "org.apache.lucene..");

    @ArchTest
    static final ArchRule ONLY_ENCODE_AND_MODEL_USE_DJL = onlyMayUse("DJL and ONNX Runtime",
            new String[] {"quarry.encode..", "quarry.model..", "quarry.djl.."}, "ai.djl..", "ai.onnxruntime..");

    @ArchTest
    static final ArchRule ONLY_STORE_USES_JDBC = onlyMayUse("JDBC, SQLite and PostgreSQL",
            new String[] {"quarry.store.."}, "java.sql..", "org.sqlite..", "org.postgresql..");

    @ArchTest
    static final ArchRule CORE_IS_PLAIN_JAVA = classes().that().resideInAPackage("quarry.core..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "quarry.core..")
            .as("quarry.core uses nothing outside java.* and quarry.core");

    /** What eval's package note promises; XChart plots belong with the command that draws them. */
    @ArchTest
    static final ArchRule EVAL_IS_PLAIN_JAVA = classes().that().resideInAPackage("quarry.eval..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "quarry.core..", "quarry.eval..")
            .as("quarry.eval uses nothing outside java.*, quarry.core and quarry.eval (no XChart)");

    /** The root package holds the entry point, which registers the bench commands beside the product's. */
    @ArchTest
    static final ArchRule PRODUCT_DOES_NOT_USE_BENCH = noClasses().that(PRODUCT).and().resideOutsideOfPackage("quarry")
            .should().dependOnClassesThat().resideInAPackage("quarry.bench..")
            .as("product packages do not use quarry.bench (only the entry point quarry.Main may)");

    @ArchTest
    static final ArchRule NO_CYCLES = slices().matching("quarry.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule QUERY_SEES_MODEL_AND_INDEX_THROUGH_CORE = noClasses().that().resideInAPackage("quarry.query..")
            .should().dependOnClassesThat().resideInAnyPackage("quarry.model..", "quarry.index..")
            .as("quarry.query sees the classifier and the neighbour index only through quarry.core's interfaces");
}
