"""/resumen without the bot: the figures by dependencia, the chart pages and the caption."""

from datetime import date
from io import BytesIO

from matplotlib.image import imread
from sqlalchemy import select

from bot.dominio.calendario import CalendarioHabil
from bot.mensajes.graficas import graficas_resumen
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo
from bot.servicios.resumen import Resumen, ResumenDependencia, quien_falta, resumen
from handlers.resumen import LEYENDA_MAX, textos_resumen
from storage.models import Asm, AsmResponsable
from tests.arnes import sembrar
from tests.ayudas import medidas_png
from tests.conftest import Db

HOY = date(2026, 11, 18)


def _resumen(db: Db, cal: CalendarioHabil) -> Resumen:
    with db.sesiones.begin() as s:
        return resumen(s, HOY, cal)


def test_cifras_de_la_semilla(db: Db, cal: CalendarioHabil) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
    r = _resumen(db, cal)
    assert (r.asm, r.reportados_mes, r.en_riesgo, r.vencidos) == (3, 0, 0, 1)
    assert r.mes == date(2026, 11, 1)
    tm, dif = r.dependencias  # lowest average avance first
    assert (tm.etiqueta, tm.asm, tm.avance_promedio, tm.nunca_reporto) == ("TM", 1, 0, True)
    assert (dif.etiqueta, dif.asm, dif.avance_promedio) == ("SMDIF", 2, 50)
    assert (dif.a_tiempo, dif.en_riesgo, dif.vencidos, dif.nunca_reporto) == (1, 0, 1, False)
    assert r.sin_reporte == ["Tesorería Municipal"]


def test_avance_del_mes_y_asm_compartido(db: Db, cal: CalendarioHabil) -> None:
    """An ASM of two dependencias counts for both, and once in the totals."""
    with db.sesiones.begin() as s:
        sembrar(s)
        asm3 = s.scalar(select(Asm).where(Asm.numero == 3))
        dif = Catalogo(s).buscar("SMDIF")
        assert asm3 is not None and dif is not None
        s.add(AsmResponsable(asm_id=asm3.id, dependencia_id=dif.id))
        registro.registrar_avance(s, asm3, date(2026, 11, 1), 30, "test", origen="test")
    r = _resumen(db, cal)
    assert (r.asm, r.reportados_mes) == (3, 1)
    por_siglas = {d.etiqueta: d for d in r.dependencias}
    assert (por_siglas["SMDIF"].asm, por_siglas["SMDIF"].reportados_mes) == (3, 1)
    assert (por_siglas["TM"].avance_promedio, por_siglas["TM"].nunca_reporto) == (30, False)
    assert r.sin_reporte == []


def test_registro_vacio(db: Db, cal: CalendarioHabil) -> None:
    r = _resumen(db, cal)
    assert (r.asm, r.dependencias) == (0, [])


def _sintetico(n: int, nombre: str = "Dependencia {i}") -> Resumen:
    deps = [
        ResumenDependencia(nombre.format(i=i), f"D{i}", 5, 100 * i / n, 3, 1, 1, 2, i % 2 == 0)
        for i in range(n)
    ]
    return Resumen(HOY, date(2026, 11, 1), 5 * n, 2 * n, n, n, deps)


def test_grafica_de_una_pagina(db: Db, cal: CalendarioHabil) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
    (pagina,) = graficas_resumen(_resumen(db, cal))
    assert medidas_png(pagina)[0] == 1080
    imagen = imread(BytesIO(pagina), format="png")  # it decodes, not only its header
    assert imagen.shape[1] == 1080


def test_muchas_dependencias_se_paginan() -> None:
    """Telegram shrinks a photo to 1,280 px on its longest side: each page stays under it."""
    paginas = graficas_resumen(_sintetico(35))
    assert len(paginas) == 3
    for p in paginas:
        ancho, alto = medidas_png(p)
        assert ancho == 1080 and alto <= 1280


def test_leyenda_con_la_lista_de_quien_no_ha_informado() -> None:
    leyenda, despues = textos_resumen(_sintetico(4))
    assert "Nunca han informado avance (2):</b> Dependencia 0; Dependencia 2." in leyenda
    assert "Informaron el avance de noviembre de 2026: 8 de 20" in leyenda
    assert despues == []


def test_lista_larga_va_en_otro_mensaje() -> None:
    r = _sintetico(60, "Organismo Público Descentralizado número {i} del Municipio de Puebla")
    leyenda, despues = textos_resumen(r)
    assert len(leyenda) <= LEYENDA_MAX
    assert "Nunca han informado avance (30):</b> vea la lista abajo." in leyenda
    assert len(despues) == 1 and despues[0].count("• ") == 30


def test_todas_informaron() -> None:
    r = _sintetico(2)
    r = Resumen(r.hoy, r.mes, r.asm, r.reportados_mes, r.en_riesgo, r.vencidos, r.dependencias[1:])
    leyenda, _ = textos_resumen(r)
    assert "Todas las dependencias han informado algún avance" in leyenda


def test_etiqueta_larga_se_recorta(db: Db, cal: CalendarioHabil) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
        dif = Catalogo(s).buscar("SMDIF")
        assert dif is not None
        dif.siglas = None
    r = _resumen(db, cal)
    assert [d.etiqueta for d in r.dependencias] == ["TM", "Sistema Mun…"]


def test_columnas_del_mes_y_quien_falta(db: Db, cal: CalendarioHabil) -> None:
    """Informó / falta / vencido abierto / cerrado by dependencia, and who is missing."""
    with db.sesiones.begin() as s:
        sembrar(s)
        asm1 = s.scalar(select(Asm).where(Asm.numero == 1))
        assert asm1 is not None
        registro.registrar_avance(s, asm1, date(2026, 11, 1), 70, "test", origen="test")
    r = _resumen(db, cal)
    por_siglas = {d.etiqueta: d for d in r.dependencias}
    dif, tm = por_siglas["SMDIF"], por_siglas["TM"]
    assert (dif.informo, dif.falta, dif.vencido_abierto, dif.cerrados) == (1, 0, 1, 0)
    assert (tm.informo, tm.falta, tm.vencido_abierto, tm.cerrados) == (0, 1, 0, 0)
    assert r.faltan == 2
    with db.sesiones() as s:
        faltantes = quien_falta(s, HOY, cal)
    assert [(f.etiqueta, [a.numero for a in f.pendientes], f.vencidos) for f in faltantes] == [
        ("SMDIF", [2], 1),
        ("TM", [3], 0),
    ]
    assert all(f.enlaces == [] for f in faltantes)


def test_recordar_solo_coordinador_y_una_vez_al_dia(db: Db, cal: CalendarioHabil) -> None:
    from datetime import UTC, datetime

    import pytest

    from bot.dominio.vocabulario import Rol
    from bot.servicios.permisos import AccesoDenegado
    from bot.servicios.resumen import NadaQueRecordar, SinEnlace, recordar
    from bot.servicios.usuarios import Persona
    from storage.models import Dependencia, Salida, Usuario

    ahora = datetime(2026, 11, 18, 17, tzinfo=UTC)
    with db.sesiones.begin() as s:
        sembrar(s)
        dif = s.scalar(select(Dependencia).where(Dependencia.siglas == "SMDIF"))
        tm = s.scalar(select(Dependencia).where(Dependencia.siglas == "TM"))
        assert dif is not None and tm is not None
        s.add(Usuario(telegram_id=11, nombre="Ana", rol="enlace", dependencia_id=dif.id))
        s.add(Usuario(telegram_id=12, nombre="Beto", rol="enlace", dependencia_id=dif.id,
                      inalcanzable_desde=ahora))  # fmt: skip
        coord = Usuario(telegram_id=21, nombre="Laura", rol="coordinador")
        s.add(coord)
        s.flush()
        yo = Persona(coord.id, 21, "Laura", Rol.COORDINADOR, None, None)
        cont = Persona(coord.id, 21, "Laura", Rol.CONTRALORIA, None, None)
        dif_id, tm_id = dif.id, tm.id

    def texto(mes: date, pendientes: object) -> str:
        return f"faltan {len(pendientes)}"  # type: ignore[arg-type]

    with db.sesiones.begin() as s:
        hecho = recordar(s, yo, dif_id, HOY, cal, ahora, texto)
        assert (hecho.dependencia, hecho.enlaces, hecho.nuevos) == ("SMDIF", 1, 1)
        assert recordar(s, yo, dif_id, HOY, cal, ahora, texto).nuevos == 0
        filas = s.execute(select(Salida.chat_id, Salida.texto)).all()
        assert filas == [(11, "faltan 2")]  # the unreachable enlace is left out
        with pytest.raises(SinEnlace):
            recordar(s, yo, tm_id, HOY, cal, ahora, texto)
        with pytest.raises(AccesoDenegado):
            recordar(s, cont, dif_id, HOY, cal, ahora, texto)
        for asm in s.scalars(select(Asm).where(Asm.numero.in_([1, 2]))):
            registro.registrar_avance(s, asm, date(2026, 11, 1), 80, "test", origen="test")
        with pytest.raises(NadaQueRecordar):
            recordar(s, yo, dif_id, HOY, cal, ahora, texto)
