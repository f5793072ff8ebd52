package chserver

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"text/template"
)

// serverConfig is what the generated config.xml needs.
type serverConfig struct {
	Dir      string // absolute data directory
	TCPPort  int
	HTTPPort int
	Timezone string
}

// configXML is a minimal ClickHouse server configuration, valid for 18.16
// (root element <yandex>) and accepted by current releases. It listens on
// loopback only and keeps everything under Dir.
var configXML = template.Must(template.New("config.xml").Parse(`<?xml version="1.0"?>
<!-- Written by egovkpi for its private ClickHouse server. Rewritten at every start. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>{{.Dir}}/log/clickhouse-server.log</log>
        <errorlog>{{.Dir}}/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>3</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{{.TCPPort}}</tcp_port>
    <http_port>{{.HTTPPort}}</http_port>
    <path>{{.Dir}}/data/</path>
    <tmp_path>{{.Dir}}/tmp/</tmp_path>
    <user_files_path>{{.Dir}}/user_files/</user_files_path>
    <format_schema_path>{{.Dir}}/format_schemas/</format_schema_path>
    <users_config>{{.Dir}}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>{{.Timezone}}</timezone>
    <mlock_executable>false</mlock_executable>
    <max_concurrent_queries>100</max_concurrent_queries>
    <mark_cache_size>268435456</mark_cache_size>
</yandex>
`))

// usersXML lets the default user in from loopback only, without a password:
// the server is private to this process and listens on 127.0.0.1 only.
const usersXML = `<?xml version="1.0"?>
<!-- Written by egovkpi for its private ClickHouse server. Rewritten at every start. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <max_threads>2</max_threads>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`

// writeConfig creates the directory layout and writes config.xml and
// users.xml, returning the path of config.xml.
func writeConfig(c serverConfig) (string, error) {
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(c.Dir, sub), 0o750); err != nil {
			return "", fmt.Errorf("chserver: create %s: %w", sub, err)
		}
	}
	var buf bytes.Buffer
	if err := configXML.Execute(&buf, c); err != nil {
		return "", fmt.Errorf("chserver: render config.xml: %w", err)
	}
	path := filepath.Join(c.Dir, "config.xml")
	if err := os.WriteFile(path, buf.Bytes(), 0o640); err != nil {
		return "", fmt.Errorf("chserver: write config.xml: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "users.xml"), []byte(usersXML), 0o640); err != nil {
		return "", fmt.Errorf("chserver: write users.xml: %w", err)
	}
	return path, nil
}
