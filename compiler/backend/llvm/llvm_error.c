/* llvm_error.c - the one place LLVM's errors (LLVMErrorRef, char*
 * messages) become LlvmError text, so no error is leaked or ignored. */
#include "llvm_internal.h"
#include <stdarg.h>
#include <stdio.h>

int llvm_fail(LlvmError *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int llvm_check(LLVMErrorRef e, const char *what, LlvmError *err)
{
    if (!e)
        return 0;
    char *msg = LLVMGetErrorMessage(e); /* consumes e */
    llvm_fail(err, "%s: %s", what, msg ? msg : "unknown LLVM error");
    LLVMDisposeErrorMessage(msg);
    return -1;
}

int llvm_check_message(int failed, char *msg, const char *what, LlvmError *err)
{
    int rc = 0;
    if (failed)
        rc = llvm_fail(err, "%s: %s", what, msg && *msg ? msg : "failed");
    if (msg)
        LLVMDisposeMessage(msg);
    return rc;
}
