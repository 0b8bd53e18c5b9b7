/*
 * err.c — the table that maps every error code to an HTTP status, a stable
 * code string for JSON and a default Chinese message (OpenBSD httpd's
 * HTTP_ERRORS habit).  Designated initialisers keep it aligned with the enum.
 */
#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int status;
	const char *code;
	const char *msg;
} err_table[JW_ERR__COUNT] = {
	[JW_OK]        = { 200, "ok", "成功" },
	[JW_EINVAL]    = { 422, "invalid", "填写的内容有误，请按提示修改" },
	[JW_EBADREQ]   = { 400, "bad_request", "请求格式不正确" },
	[JW_EAUTH]     = { 401, "unauthenticated", "请先登录" },
	[JW_EPERM]     = { 403, "forbidden", "您没有权限进行此操作" },
	[JW_ENOTFOUND] = { 404, "not_found", "找不到该记录或页面" },
	[JW_ECONFLICT] = { 409, "conflict", "与已有记录重复" },
	[JW_ELOCKED]   = { 403, "locked", "密码错误次数过多，账号已锁定15分钟，请稍后再试" },
	[JW_ECSRF]     = { 403, "csrf", "页面已过期或来源不明，请刷新页面后重新提交" },
	[JW_ESTORE]    = { 500, "store", "数据存储出错，请联系管理员" },
	[JW_ENOMEM]    = { 500, "nomem", "服务器内存不足" },
	[JW_EIO]       = { 500, "io", "读写文件出错" },
	[JW_EMETHOD]   = { 405, "method_not_allowed", "不支持该请求方法" },
	[JW_ETOOBIG]   = { 413, "too_big", "提交的内容太大" },
	[JW_EUSAGE]    = { 400, "usage", "命令用法有误，请查看 --help" },
	[JW_EWEAKPW]   = { 422, "weak_password", "密码太弱：至少8位，并包含大写字母、小写字母、数字、符号中的至少3种" },
	[JW_EBUSY]     = { 503, "busy", "数据库正忙（可能正在导入名册），没有保存，请稍后重试" },
	[JW_EMEDIA]    = { 415, "unsupported_media_type", "请求体应为 JSON：请设置 Content-Type: application/json" },
};

static int valid(enum jw_err c) { return (int)c >= 0 && c < JW_ERR__COUNT; }

int err_http_status(enum jw_err c) { return valid(c) ? err_table[c].status : 500; }
const char *err_code_str(enum jw_err c) { return valid(c) ? err_table[c].code : "internal"; }
const char *err_default_msg(enum jw_err c) { return valid(c) ? err_table[c].msg : "服务器内部错误"; }

void jw_error_clear(struct jw_error *e)
{
	if (!e)
		return;
	e->code = JW_OK;
	e->field[0] = '\0';
	e->message[0] = '\0';
}

int jw_fail(struct jw_error *e, enum jw_err code, const char *field,
	    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	jw_vfail(e, code, field, fmt, ap);
	va_end(ap);
	return code;
}

int jw_vfail(struct jw_error *e, enum jw_err code, const char *field, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	if (fmt)
		vsnprintf(e->message, sizeof(e->message), fmt, ap);
	else
		snprintf(e->message, sizeof(e->message), "%s", err_default_msg(code));
	return code;
}
