#!/bin/sh
# run-demo.sh JUWEI DB LISTEN PERSONS — creates the demo community on first
# use, then serves it and prints the address and a login.
set -eu
bin=$1; db=$2; listen=$3; persons=$4
mkdir -p "$(dirname "$db")"
pw=${JUWEI_ADMIN_PASSWORD:-Juwei@demo2026}
if [ ! -s "$db" ]; then
	echo "== 创建演示社区 $db（约 $persons 人，全部为虚构数据）"
	# init's own password line would repeat (less clearly) the login below
	JUWEI_ADMIN_PASSWORD=$pw "$bin" init --db "$db" --community-code 110105087003 \
		--community-name 阳光社区居民委员会 >/dev/null
	"$bin" demo --db "$db" --persons "$persons"
	for u in director:zhuren worker:gongzuo; do
		JUWEI_PASSWORD=$pw "$bin" user add "${u#*:}" --role "${u%%:*}" --db "$db" >/dev/null
	done
	JUWEI_PASSWORD=$pw "$bin" user add wangge1 --role grid_worker --grid 第一网格 --db "$db" >/dev/null
fi
echo
echo "== Juwei 居委：http://$listen/"
echo "   登录：admin / $pw（演示库另有 zhuren 主任、gongzuo 工作人员、wangge1 网格员，密码相同）"
echo
exec "$bin" serve --db "$db" --listen "$listen"
