-- One database per municipality (runs once, when the PostgreSQL volume is new).
CREATE DATABASE asmbot_puebla;
CREATE DATABASE asmbot_cholula;
