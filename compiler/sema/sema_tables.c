/* sema_tables.c - the built-in vocabulary: math functions and distributions
 * (§2.2, §2.3) and the named kinds of integrators, wiring, layouts,
 * stimuli, sensor/motor coders and teachers, each with its arguments.
 * Adding a kind here is all the checker needs; lowering must follow. */
#include "sema_internal.h"
#include <string.h>

static const FuncSpec funcs[] = {
    {"exp", 0, {"x"}},        {"log", 0, {"x"}},          {"log10", 0, {"x"}},
    {"sqrt", 0, {"x"}},       {"abs", 0, {"x"}},          {"sin", 0, {"x"}},
    {"cos", 0, {"x"}},        {"tan", 0, {"x"}},          {"tanh", 0, {"x"}},
    {"sinh", 0, {"x"}},       {"cosh", 0, {"x"}},         {"atan", 0, {"x"}},
    {"floor", 0, {"x"}},      {"ceil", 0, {"x"}},         {"round", 0, {"x"}},
    {"sign", 0, {"x"}},       {"heaviside", 0, {"x"}},    {"pow", 0, {"x", "y"}},
    {"atan2", 0, {"y", "x"}}, {"min", 0, {"a", "b"}},     {"max", 0, {"a", "b"}},
    {"clamp", 0, {"x", "lo", "hi"}},
    {"uniform", 1, {"lo", "hi"}},       {"normal", 1, {"mean", "sd"}},
    {"lognormal", 1, {"mu", "sigma"}},  {"exponential", 1, {"mean"}},
    {"uniform_int", 1, {"lo", "hi"}},   {"bernoulli", 1, {"p"}},
    {"random", 0, {NULL}}, /* §2.3: a fresh draw per evaluation (sema_call.c) */
};

#define NFUNCS ((int)(sizeof funcs / sizeof funcs[0]))

const FuncSpec *func_find(const char *name)
{
    for (int i = 0; name && i < NFUNCS; i++)
        if (strcmp(funcs[i].name, name) == 0)
            return &funcs[i];
    return NULL;
}

const char *const *func_names(void)
{
    static const char *const names[] = {
        "exp", "log", "log10", "sqrt", "abs", "sin", "cos", "tan", "tanh", "sinh", "cosh",
        "atan", "floor", "ceil", "round", "sign", "heaviside", "pow", "atan2", "min", "max",
        "clamp", "uniform", "normal", "lognormal", "exponential", "uniform_int", "bernoulli",
        "random", NULL,
    };
    return names;
}

/* §4.9 */
const KindSpec sema_integrators[] = {
    {"euler", {{"substeps", 'i', 0}}},
    {"rk4", {{"substeps", 'i', 0}}},
    {"exact", {{0}}},
    {NULL, {{0}}},
};

/* §7.4: spatial wiring between instances */
const KindSpec sema_wires[] = {
    {"proximity",
     {{"max_distance", 'z', 1},
      {"probability", 'p', 0},
      {"weight_scale", 'n', 0},
      {"inhibition_fraction", 'p', 0},
      {"type_aware_inhibition", 'b', 0},
      {"exclude_inputs", 'X', 0},
      {"protected_triggers", 'L', 0}}},
    {NULL, {{0}}},
};

/* §7.3 */
const KindSpec sema_layouts[] = {
    {"grid", {{"spacing", 'z', 0}, {"layer_spacing", 'z', 0}}},
    {NULL, {{0}}},
};

/* §7.6 */
const KindSpec sema_stimuli[] = {
    {"current", {{"amplitude", 'n', 1}}},
    {"poisson", {{"rate", 'z', 1}, {"w", 'n', 0}}},
    {"spikes", {{"times", 'a', 1}, {"w", 'n', 0}}},
    {"ramp", {{"start", 'n', 1}, {"end", 'n', 1}}},
    {"steps", {{"times", 'a', 1}, {"amplitudes", 'a', 1}}},
    {"noise", {{"mean", 'n', 1}, {"sd", 'z', 1}}},
    {NULL, {{0}}},
};

/* §7.8: how a sensor value becomes spikes (sense) and spikes a motor value (act) */
const KindSpec sema_coders[] = {
    {"rate", {{"gain", 'n', 0}, {"window", 'z', 0}}},
    {NULL, {{0}}},
};

/* §9 */
const KindSpec sema_teachers[] = {
    {"http", {{"url", 's', 1}, {"model", 's', 0}, {"api_key_env", 's', 0}, {"timeout", 'z', 0}}},
    {NULL, {{0}}},
};
