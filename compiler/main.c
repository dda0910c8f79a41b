/* main.c - the brainc driver: flags, files, exit codes.
 * The only file that decides the process's exit status. Every phase reports
 * through one Diag; a phase runs only if the ones before it had no errors.
 *
 * Exit codes: 0 ok, 1 the program (or an input file) has errors,
 * 2 bad command line, 3 internal error. */
#include "backend/llvm/llvm_codegen.h"
#include "diag/diag.h"
#include "driver/build_params.h"
#include "driver/cache_dir.h"
#include "driver/import_cmd.h"
#include "import/import.h"
#include "driver/checkpoint_opts.h"
#include "driver/export_db.h"
#include "driver/link.h"
#include "driver/record.h"
#include "driver/run_brain.h"
#include "driver/sweep.h"
#include "front/loader.h"
#include "nir/nir.h"
#include "sema/sema.h"
#include "rt_parse.h"
#include "rt_brain.h"
#include "rt_progress.h"
#include "rt_spec_io.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* Search paths hold the stdlib plus every -I; more is surely a mistake. */
#define MAX_SEARCH_PATHS 64
#define MAX_DEFINES 256
#define MAX_STIMULI 64 /* as the message of parse_args says */

typedef struct Options {
    const char *command;
    const char *file;
    const char *brain;
    const char *preset;
    uint64_t seed;
    int seed_given;            /* --seed given (else a recipe's own seed for .json) */
    NirDefine defines[MAX_DEFINES];
    int ndefines;
    const char *stimuli[MAX_STIMULI]; /* --stimulus TEXT: members added to the brain */
    int nstimuli;
    const char *search[MAX_SEARCH_PATHS + 2];
    int nsearch;
    int verbose;
    int stats;
    int max_errors;
    uint64_t ticks;           /* run */
    unsigned threads;         /* run */
    const char *record_spikes; /* run: --record spikes=FILE */
    const char *record_list;   /* run: --record spikes,POP.v,CONN.w[:every=K] (with --out FILE.db) */
    const char *out_dir;       /* run: --out DIR (also --record-dir) */
    RtRasterFormat record_format; /* run: --record-format csv|binary */
    int record_f64;            /* run: --record-dtype f64 (SQLite samples as doubles) */
    int quiet;                 /* run: --quiet */
    int no_cache;              /* run: --no-cache */
    int fast_math;             /* run, build: --fast-math */
    const char *sweep;         /* run: --sweep name=v1,v2,... */
    CheckpointOptions ckpt;    /* run: --checkpoint FILE, --checkpoint-every N, --resume FILE */
    const char *output;        /* build: -o OUT */
    const char *emit_llvm;     /* build: --emit-llvm FILE.ll */
    const char *emit_asm;      /* build: --emit-asm FILE.s */
} Options;

typedef struct Command {
    const char *name;
    const char *usage;
    const char *help;
} Command;

static const Command commands[] = {
    {"check", "brainc check FILE [-I DIR]... [--stimulus S]...",
     "Parses and checks FILE and everything it imports. Prints nothing and exits 0\n"
     "when the program is correct; otherwise prints every error found (up to\n"
     "--max-errors, default 20) as file:line:col: error: ..., with the source line\n"
     "and a caret, and exits 1.\n"},
    {"ir", "brainc ir FILE [--brain NAME] [--preset P] [-D name=value]... [--seed S] [--stimulus S]... "
           "[--verbose] [--stats]",
     "Checks FILE, builds the network of its brain (the last brain declared in FILE\n"
     "unless --brain names one) and prints it: populations, sizes, parameters,\n"
     "synapse groups and their counts, inputs and recordings. --preset applies a\n"
     "preset of the brain, then each -D sets a brain parameter. The network is a\n"
     "pure function of the program, the parameters and the seed (default 1).\n"
     "--verbose adds the compiled model code and array previews; --stats prints\n"
     "only totals and the time taken to build. --stimulus 'TARGET : KIND(ARGS)\n"
     "[from T] [until T]' adds that stimulus to the brain, as a `stimulus` line in\n"
     "it would (docs/language.md §7.6; also for check, run and build), e.g.\n"
     "--stimulus '* : noise(2.5, 2)' drives every neuron of an imported recipe.\n"},
    {"run", "brainc run FILE [--brain NAME] [--preset P] [-D name=value]... [--seed S] [--stimulus S]... "
            "[--ticks N] [--threads K] "
            "[--record spikes=FILE] [--out DIR] [--record-format csv|binary] [--quiet] [--sweep name=v1,v2,...] "
            "[--out FILE.db [--record spikes,POP,POP.v,CONN.w[:every=K],...] [--record-dtype f32|f64]] "
            "[--no-cache] [--fast-math] [--checkpoint FILE [--checkpoint-every N] [--checkpoint-keep K]] "
            "[--resume FILE]",
     "Checks FILE, builds its brain's network as `ir` does, compiles every neuron\n"
     "and synapse kernel for this CPU with LLVM (ORC JIT) and runs the brain for\n"
     "--ticks ticks (default 1000) on --threads threads (default 1; the spikes do\n"
     "not depend on it). --record spikes=FILE writes every population's spikes as\n"
     "CSV (tick,population,neuron). --out DIR executes the program's `record`\n"
     "members, one file each in DIR: spikes (CSV, or BRSPK1 .bin with\n"
     "--record-format binary), state variables (tick,target,variable,index,value)\n"
     "and synapse variables (tick,synapse,pre,post,value) every k ticks. A progress\n"
     "line is drawn when stderr is a terminal; at the end one line on stderr gives\n"
     "the ticks, the spikes, the mean rate of each population, the wall time and\n"
     "ticks/s (--quiet drops both). --sweep name=v1,v2,... runs one brain per value\n"
     "of a brain parameter, --threads of them at a time, one summary line each;\n"
     "recorded files get the suffix .name=v. Compiled kernels are cached in\n"
     "$BRAINC_CACHE_DIR, else $XDG_CACHE_HOME/brainc or ~/.cache/brainc (--no-cache:\n"
     "not used). Parts of a program that are not executed yet (bodies, sense/act,\n"
     "rewards reading body measures) are listed on stderr as `not executed yet`.\n"
     "--checkpoint FILE saves the brain's whole state into the SQLite file FILE at\n"
     "the end (and every N ticks with --checkpoint-every N); --resume FILE starts from a checkpoint of the same\n"
     "network instead of tick 0, and --ticks counts the ticks run after it. A\n"
     "resumed run spikes exactly as the uninterrupted one (docs/cli.md). --fast-math\n"
     "lets LLVM divide by constants as multiplications by reciprocals and fuse\n"
     "multiply-adds (like Brian2's -ffast-math): faster, but states then differ from\n"
     "the IEEE default in the last bits, and spike trains may eventually diverge.\n"
     "--checkpoint-keep K also keeps the K-1 checkpoints before the newest as\n"
     "FILE.1 ... --out FILE.db (ending in .db) writes the `record` members and the\n"
     "items of --record spikes,POP,POP.v,CONN.w[:every=K],... into one SQLite\n"
     "recording (samples as floats, or doubles with --record-dtype f64).\n"
     "--stimulus 'TARGET : KIND(ARGS)' adds a stimulus to the brain (brainc help ir).\n"},
    {"inspect", "brainc inspect FILE.db",
     "Prints a summary of a checkpoint: brain, seed, parameters, tick, populations\n"
     "with the mean of each state variable, synapse groups with their counts and\n"
     "the min/mean/max of each synapse variable; or of an SQLite recording (run\n"
     "--out FILE.db): ticks, spikes and mean rate of each spikes record, the first\n"
     "and last sample of each sampled variable and how synapse variables changed.\n"
     "Exits 1 for a file that is neither, or is damaged.\n"},
    {"build", "brainc build FILE -o OUT [--brain NAME] [--preset P] [-D name=value]... [--seed S] "
              "[--stimulus S]... [--fast-math] [--emit-llvm FILE.ll] [--emit-asm FILE.s]",
     "Checks FILE, builds its brain's network as `ir` does, compiles its kernels for\n"
     "this CPU with LLVM into an object file and links it with the brainc runtime\n"
     "into the standalone executable OUT, which needs neither LLVM nor brainc. OUT\n"
     "carries the network built with these parameters and this seed, and takes the\n"
     "run flags of `brainc run`: --ticks N, --threads K, --record spikes=FILE,\n"
     "--seed S (run-time randomness only: Poisson and noise stimuli; the\n"
     "connectivity stays the one built here) and -D name=value for the parameters\n"
     "that do not shape the network (OUT --params lists them). With the same seed\n"
     "OUT spikes exactly as `brainc run`. --emit-llvm and --emit-asm also write the\n"
     "generated module as LLVM IR and as assembly. --fast-math compiles the kernels\n"
     "as `run --fast-math` does. --stimulus adds a stimulus (brainc help ir). The\n"
     "linker is $CC, else the C compiler brainc was built with; $BRAINC_RUNTIME_DIR\n"
     "overrides where the runtime libraries are.\n"},
    {"import", "brainc import FILE.json [-I DIR]... [-o OUT.brain]",
     "Turns an inner-models-v8 recipe or component (JSON) into readable .brain\n"
     "source, written to OUT (atomically: nothing is written on errors) or to stdout.\n"
     "Component files are found next to the recipe (blocks/components,\n"
     "blocks/sub_components) and in the -I folders. check, ir, run and build also\n"
     "take FILE.json directly, with the recipe's seed unless --seed is given\n"
     "(docs/import.md).\n"},
    {"export-db", "brainc export-db FILE -o OUT.db [--brain NAME] [--preset P] [-D name=value]... [--seed S]",
     "Checks FILE (.brain or .json), builds its brain's network as `ir` does and\n"
     "writes it as an inner-models-v8 SQLite brain DB (neurons, synapses, body_map,\n"
     "sensor_map), so that tools made for that engine read it. OUT is written\n"
     "atomically (nothing on errors). Models with no inner-models-v8 equivalent\n"
     "are written under their own name, with a warning (docs/import.md).\n"},
    {"help", "brainc help [COMMAND]", "Shows the commands, or the help of one command.\n"},
};

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: brainc COMMAND [options]\n\n"
            "commands:\n"
            "  check FILE     check a .brain program\n"
            "  ir FILE        show the network a program builds\n"
            "  run FILE       compile a program's brain with LLVM and run it\n"
            "  build FILE -o OUT  compile a program's brain into a standalone executable\n"
            "  inspect FILE.db  summarise a checkpoint or a recording\n"
            "  import FILE.json  turn inner-models-v8 JSON into .brain source\n"
            "  export-db FILE -o OUT.db  write a brain as an inner-models-v8 brain DB\n"
            "  help [CMD]     show help\n"
            "  --version      print the version\n\n"
            "common options: -I DIR (import search path), --max-errors N\n"
            "exit codes: 0 ok, 1 errors in the program or its inputs, 2 bad command line,\n"
            "            3 internal error\n");
}

static const Command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "brainc: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see `brainc help`)\n");
    return EXIT_USAGE;
}

/* -D name=value */
static int add_define(Options *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return usage_error("-D expects name=value, got `%s`", arg);
    if (o->ndefines == MAX_DEFINES)
        return usage_error("too many -D options (at most 256)%s", "");
    double v;
    if (rt_parse_number(eq + 1, &v) != 0)
        return usage_error("-D value must be a number: `%s`", arg);
    size_t n = (size_t)(eq - arg);
    char *name = malloc(n + 1); /* freed at the end of main */
    if (!name)
        return EXIT_INTERNAL;
    memcpy(name, arg, n);
    name[n] = 0;
    o->defines[o->ndefines].name = name;
    o->defines[o->ndefines].value = v;
    o->ndefines++;
    return 0;
}

/* The value of an option given as `--opt V`, `--opt=V` or `-DV`; advances *i. */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
    const char *a = argv[*i];
    size_t n = strlen(opt);
    if (strncmp(a, opt, n) == 0 && a[n] == '=')
        return a + n + 1;
    if (strcmp(a, opt) == 0) {
        if (*i + 1 >= argc)
            return NULL;
        return argv[++*i];
    }
    if (n == 2 && strncmp(a, opt, 2) == 0 && a[2]) /* -Dx=1, -Idir */
        return a + 2;
    return NULL;
}

static int is_option(const char *a, const char *opt)
{
    size_t n = strlen(opt);
    return strcmp(a, opt) == 0 || (strncmp(a, opt, n) == 0 && a[n] == '=') ||
           (n == 2 && strncmp(a, opt, 2) == 0);
}

/* The options of `run` for recording, output, caching and sweeps; else
 * an unknown option. */
static int parse_run_option(Options *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
        return o->quiet = 1, 0;
    if (strcmp(a, "--no-cache") == 0)
        return o->no_cache = 1, 0;
    if (strcmp(a, "--fast-math") == 0)
        return o->fast_math = 1, 0;
    if (is_option(a, "--out") || is_option(a, "--record-dir")) {
        const char *opt = is_option(a, "--out") ? "--out" : "--record-dir";
        if (!(v = option_value(argc, argv, i, opt)) || !*v)
            return usage_error("%s needs a directory", opt);
        return o->out_dir = v, 0;
    }
    if (is_option(a, "--record-format")) {
        v = option_value(argc, argv, i, "--record-format");
        if (!v || (strcmp(v, "csv") != 0 && strcmp(v, "binary") != 0))
            return usage_error("--record-format expects csv or binary%s", "");
        return o->record_format = strcmp(v, "csv") == 0 ? RT_RASTER_CSV : RT_RASTER_BINARY, 0;
    }
    if (is_option(a, "--record-dtype")) {
        v = option_value(argc, argv, i, "--record-dtype");
        if (!v || (strcmp(v, "f32") != 0 && strcmp(v, "f64") != 0))
            return usage_error("--record-dtype expects f32 or f64%s", "");
        return o->record_f64 = strcmp(v, "f64") == 0, 0;
    }
    if (is_option(a, "--sweep")) {
        if (!(v = option_value(argc, argv, i, "--sweep")) || !strchr(v, '='))
            return usage_error("--sweep expects name=v1,v2,...%s", "");
        return o->sweep = v, 0;
    }
    char msg[256];
    int ck = checkpoint_parse_option(&o->ckpt, argc, argv, i, msg, sizeof msg);
    if (ck)
        return ck < 0 ? usage_error("%s", msg) : 0;
    return usage_error("unknown option `%s`", a);
}

static int parse_args(int argc, char **argv, Options *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->file)
                return usage_error("more than one input file (`%s`)", a);
            o->file = a;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "--stats") == 0) {
            o->stats = 1;
        } else if (is_option(a, "-D")) {
            if (!(v = option_value(argc, argv, &i, "-D")))
                return usage_error("%s needs name=value", a);
            int rc = add_define(o, v);
            if (rc)
                return rc;
        } else if (is_option(a, "--stimulus")) {
            if (!(v = option_value(argc, argv, &i, "--stimulus")) || !*v)
                return usage_error("--stimulus needs 'TARGET : KIND(ARGS)', e.g. '* : noise(2.5, 2)'%s", "");
            if (o->nstimuli == MAX_STIMULI)
                return usage_error("too many --stimulus options (at most 64)%s", "");
            o->stimuli[o->nstimuli++] = v;
        } else if (is_option(a, "-I")) {
            if (!(v = option_value(argc, argv, &i, "-I")))
                return usage_error("%s needs a directory", a);
            if (o->nsearch >= MAX_SEARCH_PATHS)
                return usage_error("too many -I options%s", "");
            o->search[o->nsearch++] = v;
        } else if (is_option(a, "--seed")) {
            if (!(v = option_value(argc, argv, &i, "--seed")) || rt_parse_u64(v, &o->seed))
                return usage_error("--seed needs a non-negative integer%s", "");
            o->seed_given = 1;
        } else if (is_option(a, "--preset")) {
            if (!(v = option_value(argc, argv, &i, "--preset")) || !*v)
                return usage_error("--preset needs a name%s", "");
            o->preset = v;
        } else if (is_option(a, "--brain")) {
            if (!(v = option_value(argc, argv, &i, "--brain")) || !*v)
                return usage_error("--brain needs a name%s", "");
            o->brain = v;
        } else if (is_option(a, "--ticks")) {
            if (!(v = option_value(argc, argv, &i, "--ticks")) || rt_parse_u64(v, &o->ticks))
                return usage_error("--ticks needs a non-negative integer%s", "");
        } else if (is_option(a, "--threads")) {
            uint64_t n;
            if (!(v = option_value(argc, argv, &i, "--threads")) || rt_parse_u64(v, &n) || n < 1 ||
                n > 1024)
                return usage_error("--threads needs a number from 1 to 1024%s", "");
            o->threads = (unsigned)n;
        } else if (is_option(a, "--record")) {
            if (!(v = option_value(argc, argv, &i, "--record")) || !*v || strcmp(v, "spikes=") == 0)
                return usage_error("--record expects spikes=FILE or a list spikes,POP.v,CONN.w[:every=K]%s", "");
            if (strncmp(v, "spikes=", 7) == 0)
                o->record_spikes = v + 7;
            else if (o->record_list)
                return usage_error("--record LIST given twice (put every item in one list)%s", "");
            else
                o->record_list = v;
        } else if (is_option(a, "--emit-llvm")) {
            if (!(v = option_value(argc, argv, &i, "--emit-llvm")) || !*v)
                return usage_error("--emit-llvm needs a file%s", "");
            o->emit_llvm = v;
        } else if (is_option(a, "--emit-asm")) {
            if (!(v = option_value(argc, argv, &i, "--emit-asm")) || !*v)
                return usage_error("--emit-asm needs a file%s", "");
            o->emit_asm = v;
        } else if (is_option(a, "-o")) {
            if (!(v = option_value(argc, argv, &i, "-o")) || !*v)
                return usage_error("-o needs a file%s", "");
            o->output = v;
        } else if (is_option(a, "--max-errors")) {
            uint64_t n;
            if (!(v = option_value(argc, argv, &i, "--max-errors")) || rt_parse_u64(v, &n) ||
                n > 100000)
                return usage_error("--max-errors needs a number (0 = no limit)%s", "");
            o->max_errors = (int)n;
        } else {
            int rc = parse_run_option(o, argc, argv, &i);
            if (rc)
                return rc;
        }
    }
    if (!o->file)
        return usage_error("`%s` needs an input file", o->command);
    if (strcmp(o->command, "build") == 0 && !o->output)
        return usage_error("`build` needs -o OUT%s", "");
    if (strcmp(o->command, "export-db") == 0 && !o->output)
        return usage_error("`export-db` needs -o OUT.db%s", "");
    return 0;
}

/* Where `import std.x` and `import a.b` look: -I directories, then the stdlib. */
static void add_stdlib_path(Options *o)
{
    const char *env = getenv("BRAINC_STDLIB");
    o->search[o->nsearch++] = env && *env ? env : BRAINC_STDLIB_DIR;
    o->search[o->nsearch] = NULL;
}

static int load_and_check(Program *prog, Diag *diag, Options *o)
{
    uint64_t seed = o->seed;
    int rc = import_is_json_path(o->file) ? import_load_program(prog, diag, o->file, o->search, &seed)
                                          : program_load(prog, diag, o->file, o->search);
    if (!o->seed_given)
        o->seed = seed;
    if (rc != 0)
        return -1;
    for (int k = 0; k < o->nstimuli; k++)
        rc |= program_add_stimulus(prog, "--stimulus", o->stimuli[k], o->brain);
    if (rc != 0)
        return -1;
    sema_check(prog);
    return diag->nerrors ? -1 : 0;
}

static int cmd_check(Options *o, Diag *diag)
{
    Program prog;
    int rc = load_and_check(&prog, diag, o);
    program_free(&prog);
    return rc ? EXIT_USER : EXIT_OK;
}

static NirOptions nir_options(const Options *o)
{
    NirOptions nopt = {0};
    nopt.brain = o->brain;
    nopt.preset = o->preset;
    nopt.defines = o->defines;
    nopt.ndefines = o->ndefines;
    nopt.seed = o->seed;
    nopt.fast_math = o->fast_math;
    return nopt;
}

static Nir *build_network(Program *prog, Diag *diag, Options *o)
{
    NirOptions nopt = nir_options(o);
    return nir_build(prog, &nopt, diag);
}

/* What a command does with a checked program's network. */
typedef int (*NetworkCommand)(Program *prog, Nir *nir, Diag *diag, Options *o);

/* Loads, checks and elaborates the program, then hands the network to fn. */
static int with_network(Options *o, Diag *diag, NetworkCommand fn)
{
    Program prog;
    int rc = EXIT_USER;
    if (load_and_check(&prog, diag, o) == 0) {
        Nir *nir = build_network(&prog, diag, o);
        if (nir) {
            rc = fn(&prog, nir, diag, o);
            nir_free(nir);
        }
    }
    program_free(&prog);
    return rc;
}

static int print_network(Program *prog, Nir *nir, Diag *diag, Options *o)
{
    (void)prog, (void)diag;
    if (o->stats)
        nir_print_stats(nir, stdout);
    else
        nir_print(nir, stdout, o->verbose);
    return EXIT_OK;
}

static int cmd_ir(Options *o, Diag *diag) { return with_network(o, diag, print_network); }

/* ---- run ------------------------------------------------------------------ */

/* Says which members of the brain `run` does not execute yet, so that
 * nothing is ignored silently. */
static void warn_not_executed_members(Diag *diag, const Member *m)
{
    static const char *const what[] = {[M_BODY] = "body", [M_SENSE] = "sense", [M_ACT] = "act",
                                       [M_REWARD] = "reward"};
    for (; m; m = m->next) {
        if (m->kind == M_LAYER)
            warn_not_executed_members(diag, m->members);
        else if (m->kind == M_REWARD && nir_reward_reads_body(m->expr))
            diag_warning(diag, m->loc, "not executed yet: reward reading a body's measures");
        else if (m->kind == M_BODY || m->kind == M_SENSE || m->kind == M_ACT)
            diag_warning(diag, m->loc, "not executed yet: %s", what[m->kind]);
    }
}

/* Records other than spikes are written only with --out DIR. */
static void warn_not_executed(Diag *diag, const Program *prog, const Nir *nir, const Options *o)
{
    const Decl *d = program_find_decl(prog, nir->brain);
    if (d)
        warn_not_executed_members(diag, d->members);
    const char *hint = strcmp(o->command, "run") == 0 ? " (give --out DIR to write it)" : "";
    for (int r = 0; !o->out_dir && r < nir->nrecords; r++)
        if (nir->records[r].kind != NIR_REC_SPIKES) /* spikes: --record spikes=FILE has them all */
            diag_warning(diag, nir->records[r].loc, "not executed yet: record %s%s", nir->records[r].what,
                         hint);
}

static RunSettings run_settings(const Options *o)
{
    RunSettings rs = {o->ticks, o->threads ? o->threads : 1, !o->quiet,
                      {o->record_spikes, o->out_dir, o->record_format, NULL, o->record_list, NULL, o->record_f64},
                      NULL};
    return rs;
}

/* The cache directory, or NULL with --no-cache or when there is none. */
static const char *cache_dir(const Options *o, char *buf, size_t size)
{
    return o->no_cache || cache_dir_resolve(buf, size) ? NULL : buf;
}

/* Compiles (through the cache), instantiates and steps the brain; prints the summary. */
static int run_network(const Nir *nir, Options *o)
{
    RunSettings rs = run_settings(o);
    char msg[512], dir[4096];
    if (record_prepare_dir(&rs.rec, msg, sizeof msg)) {
        fprintf(stderr, "brainc: %s\n", msg);
        return EXIT_USER;
    }
    LlvmBrain *lb = NULL;
    if (run_compile(nir, cache_dir(o, dir, sizeof dir), &lb, msg, sizeof msg)) {
        fprintf(stderr, "brainc: internal error: compiling the brain: %s\n", msg);
        return EXIT_INTERNAL;
    }
    CheckpointRun ck = {0};
    if (checkpoint_wanted(&o->ckpt) || record_is_db(o->out_dir)) { /* the identity for both */
        if (checkpoint_prepare(&ck, &o->ckpt, nir, lb, o->file, o->preset, o->defines, o->ndefines, msg,
                               sizeof msg)) {
            fprintf(stderr, "brainc: %s\n", msg);
            checkpoint_run_free(&ck);
            llvm_brain_free(lb);
            return EXIT_USER;
        }
        rs.ckpt = checkpoint_wanted(&o->ckpt) ? &ck : NULL;
        rs.rec.identity = &ck.meta;
    }
    RunResult res;
    int rc = run_brain(lb, nir, &rs, &res);
    if (rc)
        fprintf(stderr, "brainc: %s%s\n", rc == EXIT_INTERNAL ? "cannot create the brain: " : "", res.msg);
    else if (!o->quiet)
        run_print_summary(stderr, nir, &res, o->ticks, NULL);
    run_result_free(&res);
    checkpoint_run_free(&ck);
    llvm_brain_free(lb);
    return rc;
}

/* The warnings of warn_not_executed, once per sweep (for its first variant). */
static void sweep_warn(const Nir *nir, void *ctx)
{
    const SweepRun *sr = ctx;
    warn_not_executed(sr->diag, sr->prog, nir, sr->ctx);
}

/* --sweep name=v1,v2,...: one brain per value, side by side. */
static int run_sweep(Program *prog, Diag *diag, Options *o)
{
    Sweep sw;
    char msg[512], dir[4096];
    if (sweep_parse(o->sweep, &sw, msg, sizeof msg))
        return usage_error("%s", msg);
    SweepRun sr = {prog, diag, nir_options(o), run_settings(o), cache_dir(o, dir, sizeof dir), o->quiet,
                   sweep_warn, o};
    int rc = record_prepare_dir(&sr.rs.rec, msg, sizeof msg) ? EXIT_USER : EXIT_OK;
    if (rc)
        fprintf(stderr, "brainc: %s\n", msg);
    else
        rc = sweep_run(&sw, &sr);
    sweep_free(&sw);
    return rc;
}

static int run_command(Program *prog, Nir *nir, Diag *diag, Options *o)
{
    warn_not_executed(diag, prog, nir, o);
    return run_network(nir, o);
}

static int cmd_run(Options *o, Diag *diag)
{
    if (o->sweep && checkpoint_wanted(&o->ckpt))
        return usage_error("--sweep cannot be combined with --checkpoint or --resume%s", "");
    if (o->ckpt.every && !o->ckpt.path)
        return usage_error("--checkpoint-every needs --checkpoint FILE%s", "");
    if (o->ckpt.keep && !o->ckpt.path)
        return usage_error("--checkpoint-keep needs --checkpoint FILE%s", "");
    if (o->record_list && !record_is_db(o->out_dir))
        return usage_error("--record %s needs --out FILE.db (an SQLite recording)", o->record_list);
    if (!o->sweep)
        return with_network(o, diag, run_command);
    Program prog;
    int rc = load_and_check(&prog, diag, o) == 0 ? run_sweep(&prog, diag, o) : EXIT_USER;
    program_free(&prog);
    return rc;
}

/* ---- build ---------------------------------------------------------------- */

/* The serialised spec of nir with its parameters (rt_spec_io.h). */
static int serialise(const Nir *nir, const BuildParams *bp, uint8_t **blob, size_t *size)
{
    LlvmError lerr = {{0}};
    LlvmBrain *lb = NULL;
    if (llvm_brain_describe(nir, &lb, &lerr)) {
        fprintf(stderr, "brainc: internal error: describing the brain: %s\n", lerr.msg);
        return EXIT_INTERNAL;
    }
    RtSpecMeta meta = {nir->brain, nir->seed, (uint32_t)bp->n, bp->params};
    RtError rerr = {0};
    int rc = rt_spec_write(llvm_brain_spec(lb), &meta, blob, size, &rerr) ? EXIT_INTERNAL : EXIT_OK;
    if (rc)
        fprintf(stderr, "brainc: internal error: %s\n", rerr.msg);
    llvm_brain_free(lb);
    return rc;
}

/* Emits the object into a fresh temporary directory and links it into o->output. */
static int emit_and_link(const Nir *nir, const uint8_t *blob, size_t size, Options *o)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096], obj[4096 + 16];
    snprintf(dir, sizeof dir, "%s/brainc-build-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("brainc: cannot create a temporary directory");
        return EXIT_INTERNAL;
    }
    snprintf(obj, sizeof obj, "%s/brain.o", dir);
    LlvmBuildPaths paths = {obj, o->emit_asm, o->emit_llvm};
    LlvmError lerr = {{0}};
    int rc = EXIT_OK;
    if (llvm_build_emit(nir, blob, size, &paths, &lerr)) {
        fprintf(stderr, "brainc: compiling the brain: %s\n", lerr.msg);
        rc = EXIT_INTERNAL;
    }
    const char *objects[] = {obj};
    char msg[512];
    if (rc == EXIT_OK && driver_link(objects, 1, o->output, msg, sizeof msg)) {
        fprintf(stderr, "brainc: linking %s: %s\n", o->output, msg);
        rc = EXIT_USER;
    }
    unlink(obj);
    rmdir(dir);
    return rc;
}

/* Finds the changeable parameters, gives their neuron parameters arrays,
 * serialises the spec, emits and links. */
static int build_executable(Program *prog, Nir *nir, Diag *diag, Options *o)
{
    NirOptions nopt = nir_options(o);
    BuildParams bp = {0, NULL, NULL};
    uint8_t *blob = NULL;
    size_t size = 0;
    int rc = EXIT_OK;
    if (build_params_analyse(prog, &nopt, nir, diag, NULL, &bp) || build_params_materialise(nir, &bp)) {
        fprintf(stderr, "brainc: out of memory\n");
        rc = EXIT_INTERNAL;
    }
    if (rc == EXIT_OK)
        rc = serialise(nir, &bp, &blob, &size);
    if (rc == EXIT_OK)
        rc = emit_and_link(nir, blob, size, o);
    free(blob);
    build_params_free(&bp);
    return rc;
}

static int build_command(Program *prog, Nir *nir, Diag *diag, Options *o)
{
    warn_not_executed(diag, prog, nir, o);
    return build_executable(prog, nir, diag, o);
}

static int cmd_build(Options *o, Diag *diag) { return with_network(o, diag, build_command); }

/* ---- export-db ------------------------------------------------------------ */

static int export_command(Program *prog, Nir *nir, Diag *diag, Options *o)
{
    (void)prog;
    return export_db(nir, o->output, diag);
}

static int cmd_export_db(Options *o, Diag *diag) { return with_network(o, diag, export_command); }

static int cmd_help(int argc, char **argv)
{
    if (argc < 3) {
        print_usage(stdout);
        return EXIT_OK;
    }
    const Command *c = find_command(argv[2]);
    if (!c)
        return usage_error("no command `%s`", argv[2]);
    printf("usage: %s\n\n%s", c->usage, c->help);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("brainc %s\n", BRAINC_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cmd_help(argc, argv);
    if (!find_command(cmd))
        return usage_error("unknown command `%s`", cmd);

    Options o = {0};
    o.command = cmd;
    o.seed = 1;
    o.max_errors = 20;
    o.ticks = 1000;
    o.threads = 1;
    int rc = parse_args(argc, argv, &o);
    if (rc == 0 && strcmp(cmd, "inspect") == 0) {
        rc = checkpoint_inspect(o.file);
    } else if (rc == 0) {
        add_stdlib_path(&o);
        Diag diag;
        diag_init(&diag, stderr);
        diag.max_errors = o.max_errors;
        if (strcmp(cmd, "check") == 0)
            rc = cmd_check(&o, &diag);
        else if (strcmp(cmd, "import") == 0)
            rc = import_cmd(o.file, o.search, o.output, &diag);
        else if (strcmp(cmd, "run") == 0)
            rc = cmd_run(&o, &diag);
        else if (strcmp(cmd, "build") == 0)
            rc = cmd_build(&o, &diag);
        else if (strcmp(cmd, "export-db") == 0)
            rc = cmd_export_db(&o, &diag);
        else
            rc = cmd_ir(&o, &diag);
        diag_finish(&diag);
        diag_free(&diag);
    }
    for (int i = 0; i < o.ndefines; i++)
        free((char *)o.defines[i].name);
    return rc;
}
