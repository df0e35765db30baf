# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'shot_browser.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QSizePolicy, QTableView,
    QVBoxLayout, QWidget)

class Ui_ShotBrowser(object):
    def setupUi(self, ShotBrowser):
        if not ShotBrowser.objectName():
            ShotBrowser.setObjectName(u"ShotBrowser")
        ShotBrowser.resize(640, 400)
        self.layout = QVBoxLayout(ShotBrowser)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(2, 2, 2, 2)
        self.filterRow = QHBoxLayout()
        self.filterRow.setObjectName(u"filterRow")
        self.filterEdit = QLineEdit(ShotBrowser)
        self.filterEdit.setObjectName(u"filterEdit")
        self.filterEdit.setClearButtonEnabled(True)

        self.filterRow.addWidget(self.filterEdit)

        self.countLabel = QLabel(ShotBrowser)
        self.countLabel.setObjectName(u"countLabel")

        self.filterRow.addWidget(self.countLabel)


        self.layout.addLayout(self.filterRow)

        self.errorLabel = QLabel(ShotBrowser)
        self.errorLabel.setObjectName(u"errorLabel")
        self.errorLabel.setVisible(False)
        self.errorLabel.setStyleSheet(u"color: #b00020;")
        self.errorLabel.setWordWrap(True)

        self.layout.addWidget(self.errorLabel)

        self.table = QTableView(ShotBrowser)
        self.table.setObjectName(u"table")
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)

        self.layout.addWidget(self.table)


        self.retranslateUi(ShotBrowser)

        QMetaObject.connectSlotsByName(ShotBrowser)
    # setupUi

    def retranslateUi(self, ShotBrowser):
        self.filterEdit.setPlaceholderText(QCoreApplication.translate("ShotBrowser", u"Filter: 1200-1250, >1300, 2026-11-20, status:corrupt, gas=Ar, text\u2026", None))
        self.countLabel.setText("")
        pass
    # retranslateUi

